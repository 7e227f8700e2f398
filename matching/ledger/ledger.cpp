#include "matching/ledger/ledger.hpp"

#include <algorithm>
#include <set>

#include "matching/error.hpp"
#include "matching/ledger/time_text.hpp"

namespace sangdam::ledger {
namespace {

// Bounds on free text and lists, so a stored record stays small.
constexpr std::size_t kMaxIdLength = 128;
constexpr std::size_t kMaxNameLength = 512;
constexpr std::size_t kMaxNotesLength = 4000;
constexpr std::size_t kMaxDealMeetings = 100;
constexpr int kMaxLateMinutes = 24 * 60;

void require_id(const std::string& id, const char* field) {
  if (id.empty() || id.size() > kMaxIdLength) {
    throw_invalid(
        "invalid_id",
        std::string(field) + " must be 1 to " + std::to_string(kMaxIdLength) + " characters",
        field);
  }
}

void require_length(const std::string& text, std::size_t limit, const char* field) {
  if (text.size() > limit) {
    throw_invalid("too_long",
                  std::string(field) + " is longer than " + std::to_string(limit) + " bytes",
                  field);
  }
}

void require_date(const std::string& text, const char* field) {
  if (!is_iso_date(text)) {
    throw_invalid("invalid_date", std::string(field) + " must be a date YYYY-MM-DD", field);
  }
}

void require_money(const Money& money, const char* field) {
  if (!is_currency_code(money.currency)) {
    throw_invalid("unknown_currency", money.currency + " is not an ISO 4217 currency code",
                  std::string(field) + ".currency");
  }
  if (money.hundredths < 0 || money.hundredths > kMaxMoneyHundredths) {
    throw_invalid("invalid_amount", "amount must be between 0 and 10^15",
                  std::string(field) + ".amount");
  }
}

// Inserts a record keyed by its id: false when already there with the same content.
template <typename Record>
bool insert_once(std::map<std::string, Record>& records, const Record& record) {
  auto [it, inserted] = records.emplace(record.id, record);
  if (!inserted && !(it->second == record)) {
    throw Error(ErrorCode::kConflict, "record_id_reused",
                "id " + record.id + " was already applied with different content", "id");
  }
  return inserted;
}

// What is known of one meeting's outcome: its reports and which sides checked in.
struct MeetingEvidence {
  std::vector<const OutcomeReport*> reports;
  bool buyer_arrived = false;
  bool company_arrived = false;
};

// Gathers evidence of every meeting (or only of one when only_meeting is given).
std::map<std::string, MeetingEvidence> gather(const LedgerState& state,
                                              const std::string* only_meeting) {
  std::map<std::string, MeetingEvidence> evidence;
  for (const auto& [id, report] : state.outcomes) {
    if (only_meeting != nullptr && report.meeting_id != *only_meeting) continue;
    evidence[report.meeting_id].reports.push_back(&report);
  }
  for (const auto& [id, check_in] : state.check_ins) {
    auto it = evidence.find(check_in.meeting_id);
    if (it == evidence.end()) continue;  // nobody reported: nothing to resolve
    (check_in.arrived == Side::kBuyer ? it->second.buyer_arrived : it->second.company_arrived) =
        true;
  }
  return evidence;
}

const OutcomeReport* latest_of(const MeetingEvidence& evidence, Side side) {
  const OutcomeReport* latest = nullptr;
  for (const OutcomeReport* report : evidence.reports) {
    if (report->reporter != side) continue;
    if (latest == nullptr ||
        std::tie(latest->reported_at, latest->id) < std::tie(report->reported_at, report->id)) {
      latest = report;
    }
  }
  return latest;
}

ResolvedOutcome resolve(const MeetingEvidence& evidence) {
  const OutcomeReport* organizer = latest_of(evidence, Side::kOrganizer);
  const OutcomeReport* company = latest_of(evidence, Side::kCompany);
  const OutcomeReport* buyer = latest_of(evidence, Side::kBuyer);

  ResolvedOutcome out;
  std::set<bool> claims;
  for (const OutcomeReport* report : {organizer, company, buyer}) {
    if (report == nullptr) continue;
    claims.insert(report->held);
    out.follow_up = out.follow_up || report->follow_up;
  }
  out.disputed = claims.size() > 1;
  out.held = organizer != nullptr ? organizer->held : claims.contains(true);

  if (out.held) {
    for (const OutcomeReport* report : {organizer, company, buyer}) {
      if (report != nullptr && report->held && report->value) {
        out.value = report->value;
        break;
      }
    }
    if (organizer != nullptr && organizer->rating) {
      out.rating = organizer->rating;
    } else {
      for (const OutcomeReport* report : {company, buyer}) {
        if (report == nullptr || !report->held || !report->rating) continue;
        if (!out.rating || *report->rating < *out.rating) out.rating = report->rating;
      }
    }
    return out;
  }

  out.rating = Rating::kDidNotTakePlace;
  if (organizer != nullptr && organizer->absent != Absent::kUnknown) {
    out.absent = organizer->absent;
  } else if (evidence.buyer_arrived != evidence.company_arrived) {
    out.absent = evidence.buyer_arrived ? Absent::kCompany : Absent::kBuyer;
  } else {
    std::set<Absent> side_claims;
    for (const OutcomeReport* report : {company, buyer}) {
      if (report != nullptr && !report->held && report->absent != Absent::kUnknown) {
        side_claims.insert(report->absent);
      }
    }
    if (side_claims.size() == 1) out.absent = *side_claims.begin();
  }
  return out;
}

}  // namespace

std::optional<Deal> current_deal(const LedgerState& state, const std::string& deal_id) {
  auto it = state.deals.find(deal_id);
  if (it == state.deals.end() || it->second.empty()) return std::nullopt;
  return it->second.back().deal;
}

bool Ledger::apply(const ParticipantRecord& participant) {
  validate(participant);
  auto [it, inserted] = state_.participants.emplace(participant.id, participant);
  if (inserted) return true;
  if (it->second == participant) return false;
  it->second = participant;
  return true;
}

bool Ledger::apply(const MeetingRecord& meeting) {
  validate(meeting);
  auto [it, inserted] = state_.meetings.emplace(meeting.id, meeting);
  if (inserted) return true;
  if (meeting.version < it->second.version) return false;  // late arrival of an old version
  if (meeting.version == it->second.version) {
    if (it->second == meeting) return false;
    throw Error(ErrorCode::kConflict, "record_id_reused",
                "meeting " + meeting.id + " version " + std::to_string(meeting.version) +
                    " was already applied with different content",
                "version");
  }
  it->second = meeting;
  return true;
}

bool Ledger::apply(const CheckIn& check_in) {
  validate(check_in);
  return insert_once(state_.check_ins, check_in);
}

bool Ledger::apply(const OutcomeReport& report) {
  validate(report);
  return insert_once(state_.outcomes, report);
}

bool Ledger::apply(const DealChange& change) {
  validate(change);
  auto& history = state_.deals[change.deal.id];
  auto at = std::lower_bound(
      history.begin(), history.end(), change.version,
      [](const DealChange& kept, std::int64_t version) { return kept.version < version; });
  if (at != history.end() && at->version == change.version) {
    if (*at == change) return false;
    throw Error(ErrorCode::kConflict, "record_id_reused",
                "deal " + change.deal.id + " version " + std::to_string(change.version) +
                    " was already applied with different content",
                "version");
  }
  // Kept in version order even when versions arrive out of order: history is never
  // overwritten, and the current deal is simply the last element.
  history.insert(at, change);
  return true;
}

std::optional<ResolvedOutcome> resolve_outcome(const LedgerState& state,
                                               const std::string& meeting_id) {
  auto evidence = gather(state, &meeting_id);
  auto it = evidence.find(meeting_id);
  if (it == evidence.end()) return std::nullopt;
  return resolve(it->second);
}

std::map<std::string, ResolvedOutcome> resolve_outcomes(const LedgerState& state) {
  std::map<std::string, ResolvedOutcome> resolved;
  for (const auto& [meeting_id, evidence] : gather(state, nullptr)) {
    resolved.emplace(meeting_id, resolve(evidence));
  }
  return resolved;
}

std::map<std::string, Attendance> attendance(const LedgerState& state) {
  std::map<std::string, Attendance> by_participant;
  for (const auto& [id, participant] : state.participants) by_participant[id];
  std::map<std::string, std::set<Side>> arrived;  // meeting id -> sides checked in
  std::map<std::string, std::set<Side>> late;
  for (const auto& [id, check_in] : state.check_ins) {
    arrived[check_in.meeting_id].insert(check_in.arrived);
    if (check_in.late_minutes > 0) late[check_in.meeting_id].insert(check_in.arrived);
  }
  auto outcomes = resolve_outcomes(state);
  for (const auto& [id, meeting] : state.meetings) {
    if (meeting.status == MeetingStatus::kCancelled) continue;
    Attendance& buyer = by_participant[meeting.buyer_id];
    Attendance& company = by_participant[meeting.company_id];
    ++buyer.meetings;
    ++company.meetings;
    buyer.checked_in += arrived[id].contains(Side::kBuyer);
    company.checked_in += arrived[id].contains(Side::kCompany);
    buyer.late += late[id].contains(Side::kBuyer);
    company.late += late[id].contains(Side::kCompany);
    auto outcome = outcomes.find(id);
    if (outcome == outcomes.end() || outcome->second.held) continue;
    Absent absent = outcome->second.absent;
    buyer.no_shows += absent == Absent::kBuyer || absent == Absent::kBoth;
    company.no_shows += absent == Absent::kCompany || absent == Absent::kBoth;
  }
  return by_participant;
}

void validate(const ParticipantRecord& participant) {
  require_id(participant.id, "id");
  require_length(participant.name, kMaxNameLength, "name");
  require_length(participant.country, 2, "country");
  require_length(participant.category, kMaxNameLength, "category");
}

void validate(const MeetingRecord& meeting) {
  require_id(meeting.id, "id");
  require_id(meeting.buyer_id, "buyer_id");
  require_id(meeting.company_id, "company_id");
  if (meeting.version < 1) throw_invalid("invalid_version", "version starts at 1", "version");
  require_length(meeting.buyer_country, 2, "buyer_country");
  require_length(meeting.company_name, kMaxNameLength, "company_name");
  require_length(meeting.category, kMaxNameLength, "category");
  require_length(meeting.venue, kMaxNameLength, "venue");
  require_date(meeting.day, "day");
}

void validate(const CheckIn& check_in) {
  require_id(check_in.id, "id");
  require_id(check_in.meeting_id, "meeting_id");
  if (check_in.arrived == Side::kOrganizer) {
    throw_invalid("invalid_side", "the side that arrived is the buyer or the company", "arrived");
  }
  if (check_in.late_minutes < 0 || check_in.late_minutes > kMaxLateMinutes) {
    throw_invalid("invalid_late_minutes", "late_minutes must be 0 to 1440", "late_minutes");
  }
}

void validate(const OutcomeReport& report) {
  require_id(report.id, "id");
  require_id(report.meeting_id, "meeting_id");
  require_length(report.notes, kMaxNotesLength, "notes");
  if (report.held) {
    if (report.absent != Absent::kUnknown) {
      throw_invalid("absent_on_held", "a held meeting has no absent side", "absent");
    }
    if (report.rating == Rating::kDidNotTakePlace) {
      throw_invalid("rating_contradicts_outcome",
                    "a held meeting cannot be rated did_not_take_place", "rating");
    }
  } else {
    if (report.value) {
      throw_invalid("value_on_no_show", "a no-show has no consultation value", "value");
    }
    if (report.rating && report.rating != Rating::kDidNotTakePlace) {
      throw_invalid("rating_contradicts_outcome", "a no-show can only be rated did_not_take_place",
                    "rating");
    }
  }
  if (report.value) require_money(*report.value, "value");
}

void validate(const DealChange& change) {
  const Deal& deal = change.deal;
  if (change.version < 1) throw_invalid("invalid_version", "version starts at 1", "version");
  require_id(change.changed_by, "changed_by");
  require_id(deal.id, "id");
  require_id(deal.buyer_id, "buyer_id");
  require_id(deal.company_id, "company_id");
  require_money(deal.value, "value");
  require_date(deal.signed_on, "signed_on");
  if (deal.meeting_ids.size() > kMaxDealMeetings) {
    throw_invalid("too_many_meetings", "a deal links at most 100 meetings", "meeting_ids");
  }
  for (const auto& meeting_id : deal.meeting_ids) require_id(meeting_id, "meeting_ids");
}

void check_deal_transition(const Deal& from, const Deal& to) {
  auto refuse = [](std::string message, const char* field) {
    throw Error(ErrorCode::kUnprocessable, "invalid_deal_transition", std::move(message), field);
  };
  if (from.kind != to.kind) refuse("the kind of a deal never changes", "kind");
  if (from.buyer_id != to.buyer_id) refuse("the parties of a deal never change", "buyer_id");
  if (from.company_id != to.company_id) refuse("the parties of a deal never change", "company_id");
  bool allowed = from.status == DealStatus::kSigned ||
                 (from.status == DealStatus::kFulfilled && to.status == DealStatus::kFulfilled);
  if (!allowed) {
    refuse("a " + std::string(deal_status_name(from.status)) + " deal cannot become " +
               std::string(deal_status_name(to.status)),
           "status");
  }
}

}  // namespace sangdam::ledger
