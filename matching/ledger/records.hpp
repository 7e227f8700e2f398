// The raw records of the event day and after, as the ledger service receives them from the bus
// and keeps them (append-only) in Redis. Every report figure is computed from these alone, so
// that the report can always be recomputed and checked. Plain data; validation and JSON in
// records_json.hpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "matching/money.hpp"

namespace sangdam::ledger {

using Time = std::chrono::sys_seconds;

// Who speaks in a check-in or an outcome report.
enum class Side { kBuyer, kCompany, kOrganizer };

enum class MeetingStatus { kScheduled, kCancelled };

// A participant as the report groups it; registered participants with no meetings still count
// in the meetings-per-participant spread (a buyer with none is the unfairness we must show).
struct ParticipantRecord {
  std::string id;
  bool is_buyer = true;  // false: a local company
  std::string name;      // organisation (buyer) or company name, for display
  std::string country;   // buyer: ISO 3166-1 alpha-2; company: empty
  std::string category;  // company: main taxonomy category; buyer: empty

  friend bool operator==(const ParticipantRecord&, const ParticipantRecord&) = default;
};

// One consultation as the scheduler last published it. A rescheduled meeting comes again with
// a higher version; the highest version is the meeting's current state.
struct MeetingRecord {
  std::string id;
  std::int64_t version = 1;  // the scheduler's sequence for this meeting (as iCalendar SEQUENCE)
  std::string buyer_id;
  std::string company_id;
  std::string buyer_country;  // ISO 3166-1 alpha-2, snapshot at scheduling
  std::string company_name;
  std::string category;  // the company's main category
  std::string day;       // YYYY-MM-DD, event's local day
  std::string venue;     // venue id
  MeetingStatus status = MeetingStatus::kScheduled;

  friend bool operator==(const MeetingRecord&, const MeetingRecord&) = default;
};

// Arrival at the table, recorded by the side itself or the organizer.
struct CheckIn {
  std::string id;  // idempotency key
  std::string meeting_id;
  Side arrived = Side::kBuyer;  // who arrived: kBuyer or kCompany
  Side recorded_by = Side::kOrganizer;
  Time at{};
  int late_minutes = 0;  // 0: on time

  friend bool operator==(const CheckIn&, const CheckIn&) = default;
};

// The four-level consultation rating of the issue.
enum class Rating {
  kDidNotTakePlace = 0,
  kNoRealInterest = 1,
  kInformative = 2,  // informative, no cooperation yet
  kCooperationLikely = 3,
};

// Whom a no-show report blames. kUnknown: not said (check-ins decide, see ledger.hpp).
enum class Absent { kUnknown, kBuyer, kCompany, kBoth };

// What one reporter says about one meeting. Several may exist per meeting: both sides and the
// organizer, and corrections (a later report of the same reporter replaces its earlier one).
struct OutcomeReport {
  std::string id;  // idempotency key
  std::string meeting_id;
  Side reporter = Side::kOrganizer;
  bool held = true;                  // false: no-show
  Absent absent = Absent::kUnknown;  // only for no-shows
  std::optional<Rating> rating;
  std::optional<Money> value;  // consultation value: the deal size discussed
  std::string notes;
  bool follow_up = false;  // follow-up wanted
  Time reported_at{};

  friend bool operator==(const OutcomeReport&, const OutcomeReport&) = default;
};

enum class DealKind { kMou, kContract };
enum class DealStatus { kSigned, kCancelled, kFulfilled };

struct Deal {
  std::string id;
  DealKind kind = DealKind::kMou;
  std::string buyer_id;
  std::string company_id;
  Money value;
  std::string signed_on;  // YYYY-MM-DD
  DealStatus status = DealStatus::kSigned;
  std::vector<std::string> meeting_ids;  // the consultation(s) it came from; may be empty
  bool on_site = false;                  // signed at the event itself

  friend bool operator==(const Deal&, const Deal&) = default;
};

// One version of a deal. Deals are never overwritten: each change is a new version, and the
// current deal is the highest version received.
struct DealChange {
  std::int64_t version = 1;  // 1 = creation; the service allocates 2, 3, ... atomically
  std::string changed_by;    // principal id (company, organizer)
  Time changed_at{};
  Deal deal;  // the complete state after the change

  friend bool operator==(const DealChange&, const DealChange&) = default;
};

// Stable text names used in JSON, CSV and documentation.
std::string_view side_name(Side side);
std::string_view rating_name(Rating rating);
std::string_view absent_name(Absent absent);
std::string_view deal_kind_name(DealKind kind);
std::string_view deal_status_name(DealStatus status);
std::string_view meeting_status_name(MeetingStatus status);

}  // namespace sangdam::ledger
