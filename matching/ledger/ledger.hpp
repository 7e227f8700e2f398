// The ledger: the raw records of an event, kept so that applying any record twice, or records
// out of order, ends in the same state. The report (report.hpp) is a pure function of this
// state, so a recomputation from the stored raw records always gives the published numbers.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "matching/ledger/records.hpp"

namespace sangdam::ledger {

struct LedgerState {
  std::map<std::string, ParticipantRecord> participants;  // by participant id
  std::map<std::string, MeetingRecord> meetings;          // by id, highest version only
  std::map<std::string, CheckIn> check_ins;               // by check-in id
  std::map<std::string, OutcomeReport> outcomes;          // by report id
  std::map<std::string, std::vector<DealChange>> deals;   // by deal id, ascending version
};

// The current state of a deal: its highest version. nullopt when unknown.
std::optional<Deal> current_deal(const LedgerState& state, const std::string& deal_id);

// Applies records. Each returns true when the state changed, false for a record already
// applied (same id, or same meeting/deal version) or superseded (an older meeting version
// arriving after a newer one). Invalid records throw Error(kInvalidArgument) before any
// change; a known id or version arriving with different content throws Error(kConflict,
// "record_id_reused"): that is a bug upstream, not a redelivery, and must not pass silently.
class Ledger {
 public:
  // Participants carry no version: the latest profile applied wins (names and countries are
  // display data; the report is recomputed from whatever the registry last said).
  bool apply(const ParticipantRecord& participant);
  bool apply(const MeetingRecord& meeting);
  bool apply(const CheckIn& check_in);
  bool apply(const OutcomeReport& report);
  bool apply(const DealChange& change);

  const LedgerState& state() const { return state_; }

 private:
  LedgerState state_;
};

// What a meeting's reports add up to, after the disagreement rule (docs/ledger.md):
//  1. Per reporter only the latest report counts (reported_at, then report id).
//  2. The organizer's report, when there is one, decides held / no-show.
//  3. Otherwise the meeting was held when either side says held: a meeting cannot be held by
//     one side alone, so a "held" report is positive evidence, while "no-show" may be a side
//     that came late or looked at the wrong table. The organizer can always override.
//  4. Value (counted once per meeting, held only): the organizer's, else the company's, else
//     the buyer's: the company quotes its prices, the buyer's figure is an estimate.
//  5. Rating (held only): the organizer's, else the lower of the sides' ratings (a
//     conservative report never claims more cooperation than one side sees). A no-show is
//     rated "did not take place".
//  6. The absent side of a no-show: the organizer's statement, else the check-ins (exactly one
//     side checked in: the other is absent), else the sides' statements when they agree, else
//     unknown (counted as a no-show of the meeting, charged to no participant).
//  7. Follow-up is wanted when any latest report wants it.
//  8. disputed: the latest reports of two reporters disagree on held / no-show.
struct ResolvedOutcome {
  bool held = false;
  Absent absent = Absent::kUnknown;  // no-show only
  std::optional<Rating> rating;
  std::optional<Money> value;
  bool follow_up = false;
  bool disputed = false;
};

// nullopt when nobody reported on the meeting.
std::optional<ResolvedOutcome> resolve_outcome(const LedgerState& state,
                                               const std::string& meeting_id);

// Every meeting with at least one report (including reports on meetings not yet known), in one
// pass over the records.
std::map<std::string, ResolvedOutcome> resolve_outcomes(const LedgerState& state);

// What the organizer sees of one participant's attendance (non-cancelled meetings only).
struct Attendance {
  int meetings = 0;    // scheduled meetings
  int checked_in = 0;  // meetings with a check-in of this participant
  int late = 0;        // of which late
  int no_shows = 0;    // no-show meetings where this participant was the absent side
};

std::map<std::string, Attendance> attendance(const LedgerState& state);

// Validation used by Ledger::apply and by the service before it stores anything.
// Each throws Error(kInvalidArgument, reason, message, field) on the first problem.
void validate(const ParticipantRecord& participant);
void validate(const MeetingRecord& meeting);
void validate(const CheckIn& check_in);
void validate(const OutcomeReport& report);
void validate(const DealChange& change);

// Whether a deal may move from one status to the next (the service checks this against the
// current version before it allocates a new one): signed -> cancelled | fulfilled | signed
// (an edit); fulfilled -> fulfilled (an edit); cancelled is final. The kind and parties of a
// deal never change. Throws Error(kUnprocessable, "invalid_deal_transition", ...).
void check_deal_transition(const Deal& from, const Deal& to);

}  // namespace sangdam::ledger
