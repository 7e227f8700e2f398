#include "matching/ledger/records.hpp"

namespace sangdam::ledger {

std::string_view side_name(Side side) {
  switch (side) {
    case Side::kBuyer:
      return "buyer";
    case Side::kCompany:
      return "company";
    case Side::kOrganizer:
      return "organizer";
  }
  return "organizer";
}

std::string_view rating_name(Rating rating) {
  switch (rating) {
    case Rating::kDidNotTakePlace:
      return "did_not_take_place";
    case Rating::kNoRealInterest:
      return "no_real_interest";
    case Rating::kInformative:
      return "informative";
    case Rating::kCooperationLikely:
      return "cooperation_likely";
  }
  return "did_not_take_place";
}

std::string_view absent_name(Absent absent) {
  switch (absent) {
    case Absent::kUnknown:
      return "unknown";
    case Absent::kBuyer:
      return "buyer";
    case Absent::kCompany:
      return "company";
    case Absent::kBoth:
      return "both";
  }
  return "unknown";
}

std::string_view deal_kind_name(DealKind kind) {
  return kind == DealKind::kMou ? "mou" : "contract";
}

std::string_view deal_status_name(DealStatus status) {
  switch (status) {
    case DealStatus::kSigned:
      return "signed";
    case DealStatus::kCancelled:
      return "cancelled";
    case DealStatus::kFulfilled:
      return "fulfilled";
  }
  return "signed";
}

std::string_view meeting_status_name(MeetingStatus status) {
  return status == MeetingStatus::kScheduled ? "scheduled" : "cancelled";
}

}  // namespace sangdam::ledger
