// The trade event as the organizer sets it up (POST /v1/events): days with sessions and breaks,
// slot length, venues with tables, travel minutes between venues, interpreters, policies and
// the IANA time zone. Times are entered as local wall-clock times of the event's zone and
// converted to UTC once; slots are derived, never entered. docs/intake.md has the JSON format.
#pragma once

#include <date/date.h>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sangdam::event {

// Limits of an event definition.
inline constexpr std::size_t kMaxEventNameBytes = 200;
inline constexpr std::size_t kMaxDays = 31;
inline constexpr std::size_t kMaxSessionsPerDay = 8;
inline constexpr std::size_t kMaxBreaksPerSession = 8;
inline constexpr std::size_t kMaxVenues = 50;
inline constexpr int kMaxTablesPerVenue = 1000;
inline constexpr std::size_t kMaxInterpreterPools = 100;
inline constexpr int kMaxInterpretersPerPool = 500;
inline constexpr int kMinSlotMinutes = 5;
inline constexpr int kMaxSlotMinutes = 240;
inline constexpr std::size_t kMaxSlots = 5000;  // per event, all days together
inline constexpr int kMaxTravelMinutes = 24 * 60;

// A span of local wall-clock time within one day, in minutes after local midnight.
struct LocalSpan {
  std::chrono::minutes start{0};
  std::chrono::minutes end{0};
};

struct Session {
  std::string name;               // "morning", "afternoon", ...
  LocalSpan hours;                // "09:00".."12:00"
  std::vector<LocalSpan> breaks;  // inside hours, sorted, not overlapping
};

struct Day {
  date::year_month_day date;
  std::vector<Session> sessions;  // sorted by start, not overlapping
};

struct Venue {
  std::string id;  // referenced by a company's "venue"
  std::string name;
  std::string address;
  std::vector<std::string> tables;  // labels; a count n becomes "T1".."Tn"
};

struct Travel {
  std::string from;  // venue ids; the time holds both ways
  std::string to;
  int minutes = 0;
};

// Interpreters for one language pair, e.g. vi <-> ko.
struct InterpreterPool {
  std::string id;                      // given, or "<lang>-<lang>" of the pair
  std::vector<std::string> languages;  // ISO 639-1, exactly two
  int count = 1;
  std::optional<std::vector<int>> available_slots;  // nullopt: every slot
};

struct Policies {
  int max_meetings_per_day = 8;    // per participant
  int hosted_buyer_minimum = 0;    // meetings guaranteed to a hosted buyer over the event
  int request_expiry_hours = 48;   // a pending request frees its slot after this
  bool self_booking = true;        // participants may book open slots themselves
  int max_outgoing_requests = 20;  // pending requests one participant may have open
};

struct Event {
  std::string id;  // assigned by the service; empty when parsed from a request
  std::string name;
  std::string time_zone;  // IANA name, e.g. "Asia/Seoul"
  int slot_minutes = 30;
  std::vector<Day> days;  // strictly increasing dates
  std::vector<Venue> venues;
  std::vector<Travel> travel;
  std::vector<InterpreterPool> interpreters;
  Policies policies;

  const Venue* find_venue(std::string_view venue_id) const;
  // 0 for the same venue; nullopt when the pair is unknown.
  std::optional<int> travel_minutes(std::string_view from, std::string_view to) const;
};

struct Slot {
  int index = 0;  // 0-based over the whole event, in time order
  int day = 0;    // index into Event::days
  std::string session;
  std::chrono::sys_seconds start_utc;
  std::chrono::sys_seconds end_utc;
};

// Parses and validates a POST /v1/events body. Throws sangdam::Error(kInvalidArgument) with the
// JSON path of the bad field: unknown_time_zone, invalid_date, invalid_time, overlapping_sessions,
// nonexistent_local_time, ambiguous_local_time, unknown_venue, missing_travel_time, ...
Event parse_event(std::string_view json);

// The event as GET /v1/events/{e} shows it, with its derived slots (local and UTC times).
std::string to_json(const Event& event);

// Each session cut into slot_minutes pieces between its breaks; a remainder shorter than a slot
// is left unused, and no slot crosses a break. Indexes run over the whole event in time order.
std::vector<Slot> derive_slots(const Event& event);

// RFC 3339 with the zone's offset at that instant: "2023-09-13T09:00:00+09:00".
// Throws unknown_time_zone.
std::string format_local(std::chrono::sys_seconds instant, const std::string& time_zone);

// Local wall-clock time of a zone to UTC. A local time that does not exist (skipped by a DST
// change) or exists twice (repeated by one) is refused, reasons nonexistent_local_time and
// ambiguous_local_time: a meeting must never be at a time people cannot tell apart.
std::chrono::sys_seconds local_to_utc(date::local_seconds local, const std::string& time_zone,
                                      const std::string& field = {});

}  // namespace sangdam::event
