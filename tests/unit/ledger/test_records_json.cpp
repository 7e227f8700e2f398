#include <catch2/catch.hpp>

#include "ledger_fixtures.hpp"
#include "matching/error.hpp"
#include "matching/ledger/records_json.hpp"

using namespace sangdam;
using namespace sangdam::ledger;
using namespace sangdam::ledger::testing;

namespace {

rapidjson::Document parse(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str());
  REQUIRE_FALSE(doc.HasParseError());
  return doc;
}

template <typename Record>
Record round_trip(const Record& record) {
  Record copy;
  read_json(parse(to_json(record)), copy, JsonSource::kTrusted);
  return copy;
}

template <typename Record>
std::string error_of(const std::string& json, JsonSource source, Record& into) {
  try {
    read_json(parse(json), into, source);
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kInvalidArgument);
    return e.reason() + "@" + e.field();
  }
  return "accepted";
}

}  // namespace

TEST_CASE("every record reads back as itself") {
  OutcomeReport report =
      held("r1", "m1", Side::kCompany, Money{180000000, "USD"}, Rating::kCooperationLikely);
  report.notes = "Sample order, \"quote\" by Friday; 견적 요청";
  report.follow_up = true;
  CHECK(round_trip(report) == report);
  CHECK(round_trip(no_show("r2", "m1", Side::kBuyer, Absent::kCompany)) ==
        no_show("r2", "m1", Side::kBuyer, Absent::kCompany));
  MeetingRecord m = meeting("m1", "b1", "c1");
  m.version = 4;
  m.status = MeetingStatus::kCancelled;
  CHECK(round_trip(m) == m);
  CheckIn check_in{"k1", "m1", Side::kCompany, Side::kOrganizer, at_minute(3), 7};
  CHECK(round_trip(check_in) == check_in);
  DealChange change = deal_version("d1", 2, DealKind::kContract, Money{123456, "VND"},
                                   DealStatus::kFulfilled, {"m1", "m2"}, "b1", "c1", true);
  CHECK(round_trip(change) == change);
  ParticipantRecord participant{"b1", true, "Hanoi Medical Supply", "VN", ""};
  CHECK(round_trip(participant) == participant);
}

TEST_CASE("a client body fills what the client may say, the server owns the rest") {
  OutcomeReport report;
  report.id = "idem-1";
  report.meeting_id = "m1";
  report.reporter = Side::kBuyer;
  read_json(parse(R"({"outcome":"held","rating":"informative",
                      "value":{"amount":"25000.50","currency":"EUR"},"follow_up":true})"),
            report, JsonSource::kClient);
  CHECK(report.held);
  CHECK(report.rating == Rating::kInformative);
  CHECK(report.value == Money{2500050, "EUR"});
  CHECK(report.reporter == Side::kBuyer);

  CHECK(error_of(R"({"reporter":"organizer"})", JsonSource::kClient, report) ==
        "field_not_allowed@reporter");
  CHECK(error_of(R"({"id":"x"})", JsonSource::kClient, report) == "field_not_allowed@id");
  CHECK(report.reporter == Side::kBuyer);
  CHECK(report.id == "idem-1");

  DealChange change;
  read_json(parse(R"({"kind":"mou","buyer_id":"b1","company_id":"c1",
                      "value":{"amount":"1000000","currency":"USD"},"signed_on":"2023-09-14",
                      "meeting_ids":["m3"]})"),
            change, JsonSource::kClient);
  CHECK(change.deal.kind == DealKind::kMou);
  CHECK(change.deal.value == usd(1'000'000));
  CHECK(change.deal.meeting_ids == std::vector<std::string>{"m3"});
  CHECK(error_of(R"({"version":9})", JsonSource::kClient, change) ==
        "unknown_field@version");  // a client sends the deal, not its version
}

TEST_CASE("bad fields are refused with their path, and the record stays as it was") {
  OutcomeReport report = held("r1", "m1", Side::kBuyer, usd(5));
  OutcomeReport before = report;
  CHECK(error_of(R"({"notes":"changed","outcome":"maybe"})", JsonSource::kClient, report) ==
        "invalid_value@outcome");
  CHECK(report == before);  // the valid "notes" before the bad field was not applied
  CHECK(error_of(R"({"value":{"amount":1.5,"currency":"USD"}})", JsonSource::kClient, report) ==
        "invalid_type@value.amount");
  CHECK(error_of(R"({"value":{"amount":"1.555","currency":"USD"}})", JsonSource::kClient, report) ==
        "invalid_amount@value.amount");
  CHECK(error_of(R"({"value":{"amount":"1","currency":"usd"}})", JsonSource::kClient, report) ==
        "unknown_currency@value.currency");
  CHECK(error_of(R"({"value":{"amount":"1"}})", JsonSource::kClient, report) ==
        "invalid_money@value");
  CHECK(error_of(R"({"colour":"red"})", JsonSource::kClient, report) == "unknown_field@colour");
  CHECK(error_of(R"({"follow_up":"yes"})", JsonSource::kClient, report) ==
        "invalid_type@follow_up");
  CHECK(error_of(R"({"reported_at":"2023-09-13 10:00"})", JsonSource::kTrusted, report) ==
        "invalid_time@reported_at");
  CHECK(error_of(R"([1,2])", JsonSource::kClient, report) == "malformed_json@body");
  CheckIn check_in;
  CHECK(error_of(R"({"late_minutes":-5})", JsonSource::kClient, check_in) ==
        "invalid_number@late_minutes");
  CHECK(error_of(R"({"arrived":"organizer"})", JsonSource::kClient, check_in) ==
        "invalid_value@arrived");
  DealChange change;
  CHECK(error_of(R"({"deal":{"meeting_ids":["m1",7]}})", JsonSource::kTrusted, change) ==
        "invalid_type@deal.meeting_ids[1]");
  CHECK(report == before);
}

TEST_CASE("RFC 3339 times with offsets read as the same instant") {
  OutcomeReport report;
  read_json(parse(R"({"reported_at":"2023-09-13T10:30:00+09:00"})"), report, JsonSource::kTrusted);
  CHECK(report.reported_at == at_minute(90));
  read_json(parse(R"({"reported_at":"2023-09-13T01:30:00.250Z"})"), report, JsonSource::kTrusted);
  CHECK(report.reported_at == at_minute(90));
  CHECK(to_json(report).find(R"("reported_at":"2023-09-13T01:30:00Z")") != std::string::npos);
}
