#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include "matching/error.hpp"
#include "matching/ledger/notification.hpp"

using namespace sangdam;
using namespace sangdam::ledger;

namespace {

rapidjson::Document parse(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str());
  REQUIRE_FALSE(doc.HasParseError());
  REQUIRE(doc.IsObject());
  return doc;
}

std::string text_of(const rapidjson::Document& doc, const char* name) {
  auto it = doc.FindMember(name);
  REQUIRE(it != doc.MemberEnd());
  REQUIRE(it->value.IsString());
  return it->value.GetString();
}

std::string reason_of(std::string_view type, std::string_view payload,
                      const NotificationContext& context = {}) {
  try {
    notification_for(type, payload, context);
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kInvalidArgument);
    return e.reason() + "@" + e.field();
  }
  return "accepted";
}

// One day in Seoul, 09:00-10:00 in 30-minute slots: slot 1 is 09:30-10:00 local.
event::Event seoul_event() {
  return event::parse_event(
      R"({"name":"t","time_zone":"Asia/Seoul","slot_minutes":30,
          "days":[{"date":"2023-09-13","sessions":[{"name":"m","start":"09:00","end":"10:00"}]}],
          "venues":[{"id":"hall","name":"Hall","tables":3}]})");
}

constexpr const char* kMeeting =
    R"({"id":"m_1","buyer_id":"b1","company_id":"c7","slot":1,"day":0,"venue":"hall",)"
    R"("table":"T2","interpreter":"","status":"cancelled","source":"booking",)"
    R"("request_id":"","version":2,"updated_at":"2023-09-01T00:00:00.000Z"})";

}  // namespace

TEST_CASE("a meeting change concerns its buyer and company, with local times") {
  auto event = seoul_event();
  auto slots = event::derive_slots(event);
  NotificationContext context{&event, &slots, nullptr};
  auto n = notification_for("meeting.cancelled", kMeeting, context);
  REQUIRE(n);
  CHECK(n->type == "meeting.cancelled");
  CHECK(n->audience == std::vector<std::string>{"b1", "c7"});
  auto payload = parse(n->payload);
  CHECK(text_of(payload, "meeting_id") == "m_1");
  CHECK(text_of(payload, "status") == "cancelled");
  CHECK(text_of(payload, "table") == "T2");
  CHECK(payload["slot"].GetInt() == 1);
  CHECK(payload["version"].GetInt() == 2);
  CHECK(text_of(payload, "start") == "2023-09-13T09:30:00+09:00");
  CHECK(text_of(payload, "end") == "2023-09-13T10:00:00+09:00");
  CHECK_FALSE(payload.HasMember("id"));  // renamed to meeting_id

  SECTION("without the event there are no times, the rest is the same") {
    auto bare = notification_for("meeting.cancelled", kMeeting, {});
    REQUIRE(bare);
    CHECK(bare->audience == n->audience);
    CHECK_FALSE(parse(bare->payload).HasMember("start"));
  }
  SECTION("a slot outside the event gets no times rather than wrong ones") {
    std::string far = kMeeting;
    far.replace(far.find("\"slot\":1"), 8, "\"slot\":9");
    auto out = notification_for("meeting.placed", far, context);
    REQUIRE(out);
    CHECK_FALSE(parse(out->payload).HasMember("start"));
  }
}

TEST_CASE("a request concerns its sender and receiver") {
  std::string payload =
      R"({"request_id":"r_9","sender_id":"c7","receiver_id":"b1","buyer_id":"b1",)"
      R"("company_id":"c7","status":"pending"})";
  for (const char* type : {"request.created", "request.accepted", "request.declined",
                           "request.withdrawn", "request.expired"}) {
    auto n = notification_for(type, payload, {});
    REQUIRE(n);
    CHECK(n->type == type);
    CHECK(n->audience == std::vector<std::string>{"c7", "b1"});
    auto out = parse(n->payload);
    CHECK(text_of(out, "request_id") == "r_9");
    CHECK(text_of(out, "receiver_id") == "b1");
  }
}

TEST_CASE("schedule.published concerns every participant") {
  auto n = notification_for("schedule.published",
                            R"({"schedule_version":"3","run_id":"run_1","placed":5,"moved":1,)"
                            R"("cancelled":0,"kept":2,"skipped":0})",
                            {});
  REQUIRE(n);
  CHECK(n->audience == std::vector<std::string>{std::string(kEveryone)});
  CHECK(concerns(join_audience(n->audience), "b42"));
  CHECK(text_of(parse(n->payload), "schedule_version") == "3");
}

TEST_CASE("check-ins and outcomes reach the meeting's parties, outcomes without the assessment") {
  MeetingParties parties{"b1", "c7"};
  NotificationContext context{nullptr, nullptr, &parties};
  std::string check_in =
      R"({"id":"k1","meeting_id":"m_1","arrived":"buyer","recorded_by":"organizer",)"
      R"("at":"2023-09-13T00:35:00Z","late_minutes":5})";
  CHECK(meeting_of("checkin.recorded", check_in) == "m_1");
  auto n = notification_for("checkin.recorded", check_in, context);
  REQUIRE(n);
  CHECK(n->audience == std::vector<std::string>{"b1", "c7"});
  auto out = parse(n->payload);
  CHECK(out["late_minutes"].GetInt() == 5);
  CHECK(text_of(out, "buyer_id") == "b1");

  std::string outcome =
      R"({"id":"o1","meeting_id":"m_1","reporter":"company","outcome":"held","absent":"unknown",)"
      R"("rating":"cooperation_likely","value":{"amount":"50000.00","currency":"USD"},)"
      R"("notes":"price too high","follow_up":true,"reported_at":"2023-09-13T01:00:00Z"})";
  CHECK(meeting_of("outcome.reported", outcome) == "m_1");
  auto o = notification_for("outcome.reported", outcome, context);
  REQUIRE(o);
  CHECK(o->audience == std::vector<std::string>{"b1", "c7"});
  auto said = parse(o->payload);
  CHECK(text_of(said, "outcome") == "held");
  CHECK(text_of(said, "reporter") == "company");
  CHECK_FALSE(said.HasMember("notes"));
  CHECK_FALSE(said.HasMember("rating"));
  CHECK_FALSE(said.HasMember("value"));

  CHECK(reason_of("outcome.reported", outcome) == "missing_parties@meeting_id");
}

TEST_CASE("a deal change concerns the deal's buyer and company") {
  auto n = notification_for(
      "deal.changed",
      R"({"version":2,"changed_by":"organizer","changed_at":"2023-09-14T00:00:00Z","deal":{)"
      R"("id":"d1","kind":"mou","buyer_id":"b1","company_id":"c7",)"
      R"("value":{"amount":"1000.00","currency":"USD"},"signed_on":"2023-09-13",)"
      R"("status":"cancelled","meeting_ids":["m_1"],"on_site":false}})",
      {});
  REQUIRE(n);
  CHECK(n->audience == std::vector<std::string>{"b1", "c7"});
  auto out = parse(n->payload);
  CHECK(text_of(out, "deal_id") == "d1");
  CHECK(text_of(out, "status") == "cancelled");
  CHECK(out["version"].GetInt() == 2);
}

TEST_CASE("bookkeeping and unknown types are not notified") {
  CHECK_FALSE(is_notified("pair.added"));
  CHECK_FALSE(is_notified("profile.changed"));
  CHECK(is_notified("meeting.moved"));
  CHECK_FALSE(notification_for("pair.added", "not even json", {}));
  CHECK(meeting_of("meeting.placed", kMeeting).empty());
}

TEST_CASE("payloads that cannot be routed are refused with the field") {
  CHECK(reason_of("meeting.placed", "[1]") == "malformed_payload@payload");
  CHECK(reason_of("meeting.placed", "{") == "malformed_payload@payload");
  CHECK(reason_of("meeting.placed", R"({"id":"m","company_id":"c1"})") ==
        "malformed_payload@buyer_id");
  CHECK(reason_of("meeting.placed", R"({"id":"m","buyer_id":"b1,b2","company_id":"c1"})") ==
        "malformed_payload@buyer_id");
  CHECK(reason_of("request.created", R"({"request_id":"r","sender_id":"","receiver_id":"b1"})") ==
        "malformed_payload@sender_id");
  CHECK(reason_of("deal.changed", R"({"version":1})") == "malformed_payload@deal");
}

TEST_CASE("audience text names whom it concerns, exactly") {
  CHECK(join_audience({"b1", "c7"}) == "b1,c7");
  CHECK(concerns("b1,c7", "c7"));
  CHECK(concerns("b1,c7", "b1"));
  CHECK_FALSE(concerns("b1,c7", "b"));
  CHECK_FALSE(concerns("b1,c7", "c77"));
  CHECK_FALSE(concerns("", "b1"));
  CHECK_FALSE(concerns("b1", ""));
  CHECK(concerns("*", "c3"));
}
