#include <catch2/catch.hpp>

#include "ledger_fixtures.hpp"
#include "matching/error.hpp"
#include "matching/ledger/ledger.hpp"

using namespace sangdam;
using namespace sangdam::ledger;
using namespace sangdam::ledger::testing;

namespace {

ErrorCode code_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.code();
  }
  FAIL("no error");
  return ErrorCode::kInternal;
}

CheckIn check_in(std::string id, std::string meeting_id, Side arrived, int late = 0) {
  return CheckIn{std::move(id),    std::move(meeting_id), arrived,
                 Side::kOrganizer, at_minute(0),          late};
}

}  // namespace

TEST_CASE("applying a record twice changes nothing") {
  Ledger ledger;
  CHECK(ledger.apply(meeting("m1", "b1", "c1")));
  CHECK_FALSE(ledger.apply(meeting("m1", "b1", "c1")));
  CHECK(ledger.apply(held("r1", "m1", Side::kBuyer, usd(100))));
  CHECK_FALSE(ledger.apply(held("r1", "m1", Side::kBuyer, usd(100))));
  CHECK(ledger.apply(check_in("k1", "m1", Side::kBuyer)));
  CHECK_FALSE(ledger.apply(check_in("k1", "m1", Side::kBuyer)));
  CHECK(ledger.apply(deal_version("d1", 1, DealKind::kMou, usd(10))));
  CHECK_FALSE(ledger.apply(deal_version("d1", 1, DealKind::kMou, usd(10))));
  CHECK(ledger.state().outcomes.size() == 1);
  CHECK(ledger.state().deals.at("d1").size() == 1);
}

TEST_CASE("a reused id with other content is a conflict, and changes nothing") {
  Ledger ledger;
  ledger.apply(held("r1", "m1", Side::kBuyer, usd(100)));
  CHECK(code_of([&] { ledger.apply(held("r1", "m1", Side::kBuyer, usd(999))); }) ==
        ErrorCode::kConflict);
  CHECK(ledger.state().outcomes.at("r1").value == usd(100));
  ledger.apply(deal_version("d1", 1, DealKind::kMou, usd(10)));
  CHECK(code_of([&] { ledger.apply(deal_version("d1", 1, DealKind::kMou, usd(11))); }) ==
        ErrorCode::kConflict);
  ledger.apply(meeting("m1", "b1", "c1"));
  CHECK(code_of([&] { ledger.apply(meeting("m1", "b1", "c2")); }) == ErrorCode::kConflict);
}

TEST_CASE("a newer meeting version replaces the older, a late old one does not") {
  Ledger ledger;
  MeetingRecord second = meeting("m1", "b1", "c1", "VN", "2023-09-14");
  second.version = 2;
  CHECK(ledger.apply(second));
  CHECK_FALSE(ledger.apply(meeting("m1", "b1", "c1", "VN", "2023-09-13")));  // version 1, late
  CHECK(ledger.state().meetings.at("m1").day == "2023-09-14");
  MeetingRecord cancelled = second;
  cancelled.version = 3;
  cancelled.status = MeetingStatus::kCancelled;
  CHECK(ledger.apply(cancelled));
  CHECK(ledger.state().meetings.at("m1").status == MeetingStatus::kCancelled);
}

TEST_CASE("deal history keeps every version in order, the current deal is the highest") {
  Ledger ledger;
  CHECK(ledger.apply(deal_version("d1", 3, DealKind::kContract, usd(30), DealStatus::kFulfilled)));
  CHECK(ledger.apply(deal_version("d1", 1, DealKind::kContract, usd(10))));
  CHECK(ledger.apply(deal_version("d1", 2, DealKind::kContract, usd(20))));
  const auto& history = ledger.state().deals.at("d1");
  REQUIRE(history.size() == 3);
  CHECK(history[0].version == 1);
  CHECK(history[1].deal.value == usd(20));
  CHECK(history[2].version == 3);
  auto current = current_deal(ledger.state(), "d1");
  REQUIRE(current);
  CHECK(current->status == DealStatus::kFulfilled);
  CHECK(current->value == usd(30));
  CHECK_FALSE(current_deal(ledger.state(), "d2").has_value());
}

TEST_CASE("invalid records are refused before anything changes") {
  Ledger ledger;
  OutcomeReport bad_currency = held("r1", "m1", Side::kBuyer, Money{100, "XYZ"});
  CHECK(code_of([&] { ledger.apply(bad_currency); }) == ErrorCode::kInvalidArgument);
  OutcomeReport valued_no_show = no_show("r2", "m1", Side::kBuyer);
  valued_no_show.value = usd(5);
  CHECK(code_of([&] { ledger.apply(valued_no_show); }) == ErrorCode::kInvalidArgument);
  OutcomeReport held_not_taken_place =
      held("r3", "m1", Side::kBuyer, std::nullopt, Rating::kDidNotTakePlace);
  CHECK(code_of([&] { ledger.apply(held_not_taken_place); }) == ErrorCode::kInvalidArgument);
  MeetingRecord bad_day = meeting("m1", "b1", "c1", "VN", "2023-13-01");
  CHECK(code_of([&] { ledger.apply(bad_day); }) == ErrorCode::kInvalidArgument);
  DealChange no_date = deal_version("d1", 1, DealKind::kMou, usd(1));
  no_date.deal.signed_on = "";
  CHECK(code_of([&] { ledger.apply(no_date); }) == ErrorCode::kInvalidArgument);
  CheckIn organizer_arrived = check_in("k1", "m1", Side::kOrganizer);
  CHECK(code_of([&] { ledger.apply(organizer_arrived); }) == ErrorCode::kInvalidArgument);
  CHECK(ledger.state().outcomes.empty());
  CHECK(ledger.state().meetings.empty());
  CHECK(ledger.state().deals.empty());
  CHECK(ledger.state().check_ins.empty());
}

TEST_CASE("disagreement: the organizer decides") {
  Ledger ledger;
  ledger.apply(held("r1", "m1", Side::kBuyer, usd(500), Rating::kCooperationLikely));
  ledger.apply(no_show("r2", "m1", Side::kOrganizer, Absent::kCompany));
  auto outcome = resolve_outcome(ledger.state(), "m1");
  REQUIRE(outcome);
  CHECK_FALSE(outcome->held);
  CHECK(outcome->absent == Absent::kCompany);
  CHECK(outcome->rating == Rating::kDidNotTakePlace);
  CHECK_FALSE(outcome->value.has_value());
  CHECK(outcome->disputed);
}

TEST_CASE("disagreement between the sides: held wins, the company's value, the lower rating") {
  Ledger ledger;
  ledger.apply(held("r1", "m1", Side::kBuyer, usd(900), Rating::kCooperationLikely));
  ledger.apply(held("r2", "m1", Side::kCompany, usd(400), Rating::kInformative));
  auto outcome = resolve_outcome(ledger.state(), "m1");
  REQUIRE(outcome);
  CHECK(outcome->held);
  CHECK(outcome->value == usd(400));
  CHECK(outcome->rating == Rating::kInformative);
  CHECK_FALSE(outcome->disputed);

  ledger.apply(no_show("r3", "m2", Side::kBuyer, Absent::kCompany));
  ledger.apply(held("r4", "m2", Side::kCompany, std::nullopt, Rating::kNoRealInterest));
  auto m2 = resolve_outcome(ledger.state(), "m2");
  REQUIRE(m2);
  CHECK(m2->held);
  CHECK(m2->disputed);
  CHECK(m2->rating == Rating::kNoRealInterest);
  CHECK_FALSE(m2->value.has_value());

  // Only the buyer gave a value: it counts.
  ledger.apply(held("r5", "m3", Side::kBuyer, usd(70)));
  ledger.apply(held("r6", "m3", Side::kCompany));
  CHECK(resolve_outcome(ledger.state(), "m3")->value == usd(70));
  // The organizer's value wins over both sides'.
  ledger.apply(held("r7", "m3", Side::kOrganizer, usd(65)));
  CHECK(resolve_outcome(ledger.state(), "m3")->value == usd(65));
  CHECK_FALSE(resolve_outcome(ledger.state(), "m4").has_value());
}

TEST_CASE("a later report of the same reporter is a correction, whatever the arrival order") {
  for (bool correction_first : {false, true}) {
    Ledger ledger;
    OutcomeReport first = no_show("r1", "m1", Side::kCompany, Absent::kBuyer, 10);
    OutcomeReport correction = held("r2", "m1", Side::kCompany, usd(300), std::nullopt, 20);
    if (correction_first) {
      ledger.apply(correction);
      ledger.apply(first);
    } else {
      ledger.apply(first);
      ledger.apply(correction);
    }
    auto outcome = resolve_outcome(ledger.state(), "m1");
    REQUIRE(outcome);
    CHECK(outcome->held);
    CHECK(outcome->value == usd(300));
    CHECK_FALSE(outcome->disputed);
  }
}

TEST_CASE("the absent side: organizer, then check-ins, then the sides if they agree") {
  Ledger ledger;
  for (const char* id : {"m1", "m2", "m3", "m4"}) ledger.apply(meeting(id, "b1", "c1"));
  // m1: the company checked in, nobody says who was absent -> the buyer.
  ledger.apply(check_in("k1", "m1", Side::kCompany, 5));
  ledger.apply(no_show("r1", "m1", Side::kCompany));
  CHECK(resolve_outcome(ledger.state(), "m1")->absent == Absent::kBuyer);
  // m2: the sides blame each other, no check-ins -> unknown.
  ledger.apply(no_show("r2", "m2", Side::kCompany, Absent::kBuyer));
  ledger.apply(no_show("r3", "m2", Side::kBuyer, Absent::kCompany));
  CHECK(resolve_outcome(ledger.state(), "m2")->absent == Absent::kUnknown);
  // m3: check-in evidence beats a side's claim.
  ledger.apply(check_in("k2", "m3", Side::kBuyer));
  ledger.apply(no_show("r4", "m3", Side::kBuyer, Absent::kBoth));
  CHECK(resolve_outcome(ledger.state(), "m3")->absent == Absent::kCompany);
  // m4: the organizer says both.
  ledger.apply(check_in("k3", "m4", Side::kBuyer));
  ledger.apply(no_show("r5", "m4", Side::kOrganizer, Absent::kBoth));
  CHECK(resolve_outcome(ledger.state(), "m4")->absent == Absent::kBoth);

  auto seen = attendance(ledger.state());
  CHECK(seen.at("b1").meetings == 4);
  CHECK(seen.at("b1").no_shows == 2);  // m1, m4
  CHECK(seen.at("c1").no_shows == 2);  // m3, m4
  CHECK(seen.at("c1").checked_in == 1);
  CHECK(seen.at("c1").late == 1);
  CHECK(seen.at("b1").checked_in == 2);
  CHECK(seen.at("b1").late == 0);
}

TEST_CASE("deal transitions: cancelled is final, kind and parties never change") {
  Deal signed_deal = deal_version("d1", 1, DealKind::kMou, usd(1)).deal;
  Deal fulfilled = signed_deal;
  fulfilled.status = DealStatus::kFulfilled;
  Deal cancelled = signed_deal;
  cancelled.status = DealStatus::kCancelled;
  CHECK_NOTHROW(check_deal_transition(signed_deal, fulfilled));
  CHECK_NOTHROW(check_deal_transition(signed_deal, cancelled));
  CHECK_NOTHROW(check_deal_transition(signed_deal, signed_deal));
  CHECK_NOTHROW(check_deal_transition(fulfilled, fulfilled));
  CHECK_THROWS_AS(check_deal_transition(cancelled, signed_deal), Error);
  CHECK_THROWS_AS(check_deal_transition(fulfilled, cancelled), Error);
  Deal contract = signed_deal;
  contract.kind = DealKind::kContract;
  CHECK_THROWS_AS(check_deal_transition(signed_deal, contract), Error);
  Deal other_buyer = signed_deal;
  other_buyer.buyer_id = "b9";
  CHECK(code_of([&] { check_deal_transition(signed_deal, other_buyer); }) ==
        ErrorCode::kUnprocessable);
}
