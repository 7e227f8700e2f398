// The scheduling problem: slots, venues with tables, interpreters, participants and the
// meetings to place. Plain data, built either from a problem file (parse_problem) or in memory
// by the scheduler service from a trade event; validate() is the one gate both go through.
// The file format is documented in docs/scheduling.md.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sangdam::schedule {

enum class Session { kMorning, kAfternoon };

// When a meeting may take place within a day.
enum class SessionRestriction { kAny, kMorning, kAfternoon };

// One consultation slot. Slots are numbered 0..S-1 in time order: day by day, and within a day
// the morning slots before the afternoon slots.
struct Slot {
  int day = 0;  // 0-based day of the event
  Session session = Session::kMorning;
};

struct Venue {
  std::string id;
  int tables = 0;                    // tables usable in every slot
  std::vector<int> tables_per_slot;  // when not empty: S counts that replace `tables`
};

// Travel time between two venues, both directions.
struct Travel {
  std::string from;
  std::string to;
  int minutes = 0;
};

// Interpreters able to serve one language pair, e.g. "vi-ko".
struct InterpreterPool {
  std::string language_pair;
  int count = 0;                    // interpreters on duty in every slot
  std::vector<int> count_per_slot;  // when not empty: S counts that replace `count`
};

enum class Role { kBuyer, kCompany, kOther };

struct Participant {
  std::string id;
  Role role = Role::kOther;
  int capacity = 1;              // meetings it can hold in one slot (a company's seats)
  std::vector<int> unavailable;  // slot indices
  // Meetings it may hold in one day; 0 takes the problem's max_meetings_per_day.
  int max_meetings_per_day = 0;
};

struct Meeting {
  std::string id;
  std::string first;    // participant id (usually the buyer)
  std::string second;   // participant id (usually the company)
  double weight = 1.0;  // > 0; from the match score and the kind of request
  SessionRestriction session = SessionRestriction::kAny;
  std::optional<int> fixed_slot;
  std::vector<std::string> after;  // ids of meetings that must take place in an earlier slot
  std::string language_pair;       // empty: no interpreter needed
  std::string venue;               // empty: the only venue, when there is exactly one
};

// Defaults, visible where a problem is built.
inline constexpr int kDefaultFairnessBound = 2;
inline constexpr int kDefaultSlotMinutes = 30;

struct Problem {
  std::vector<Slot> slots;
  int slot_minutes = kDefaultSlotMinutes;  // length of a slot, used to turn travel into slots
  std::vector<Venue> venues;
  std::vector<Travel> travel;
  std::vector<InterpreterPool> interpreters;
  std::vector<Participant> participants;
  std::vector<Meeting> meetings;
  int fairness_bound = kDefaultFairnessBound;  // d: max minus min breaks over participants
  // false (default): placement ranks first and fairness is kept as far as placement allows;
  // true: the bound is a hard constraint, and a meeting that cannot be placed within it stays
  // unplaced (the organizer's choice when even breaks matter more than the number of meetings).
  bool fairness_first = false;
  // Meetings a participant may hold in one day (the event's policy; self-booking enforces the
  // same limit); 0 means no daily limit. A participant's own value, when > 0, replaces it.
  int max_meetings_per_day = 0;
};

// The daily maximum that applies to participant `x`, or 0 for none.
int daily_maximum(const Problem& problem, const Participant& x);

// Limits that keep a problem file within what one solve handles.
inline constexpr int kMaxSlots = 1000;
inline constexpr std::size_t kMaxMeetings = 2'000'000;
inline constexpr std::size_t kMaxParticipants = 500'000;

// Throws sangdam::Error(kInvalidArgument, reason, message, field) naming the JSON path of the
// first problem: unknown or duplicate ids, slots out of range or out of order, negative
// counts, a self-meeting, precedence cycles... Returns normally for a usable problem.
void validate(const Problem& problem);

// Parses the problem file format, then validate()s it.
Problem parse_problem(std::string_view json);

// The problem file format; parse_problem(to_json(p)) gives p back.
std::string to_json(const Problem& problem);

// Free slots needed between two meetings of one person at venues `from` and `to`: 0 for the
// same venue, else ceil(minutes / slot_minutes), with a missing travel entry meaning 0
// minutes (but the two still cannot share a slot).
int travel_slots(const Problem& problem, std::string_view from, std::string_view to);

std::string_view session_name(Session session);
std::string_view restriction_name(SessionRestriction restriction);
std::string_view role_name(Role role);

}  // namespace sangdam::schedule
