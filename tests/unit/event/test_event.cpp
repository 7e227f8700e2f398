#include <catch2/catch.hpp>

#include "matching/error.hpp"
#include "matching/event/event.hpp"
#include "tests/support/source_files.hpp"

using sangdam::event::derive_slots;
using sangdam::event::format_local;
using sangdam::event::parse_event;

namespace {

using sangdam::testing::read_repo_file;
using sangdam::testing::reason_of;

std::string utc(std::chrono::sys_seconds t) {
  return date::format("%FT%TZ", t);
}

// A one-venue event in zone on date with the given sessions JSON.
std::string event_json(const std::string& zone, const std::string& day, const std::string& sessions,
                       int slot_minutes = 30) {
  return R"({"name":"t","time_zone":")" + zone + R"(","slot_minutes":)" +
         std::to_string(slot_minutes) + R"(,"days":[{"date":")" + day + R"(","sessions":)" +
         sessions + R"(}],"venues":[{"id":"hall","name":"Hall","tables":3}]})";
}

}  // namespace

TEST_CASE("the Seongnam sample event parses with 36 slots in Asia/Seoul") {
  auto event = parse_event(read_repo_file("config/samples/seongnam-2023/event.json"));
  CHECK(event.time_zone == "Asia/Seoul");
  REQUIRE(event.days.size() == 3);
  REQUIRE(event.venues.size() == 4);
  CHECK(event.find_venue("gravity")->tables.size() == 34);
  CHECK(event.find_venue("gravity")->tables.front() == "T1");
  CHECK(event.travel_minutes("bhip", "gravity") == 20);
  CHECK(event.travel_minutes("gravity", "gravity") == 0);
  CHECK_FALSE(event.travel_minutes("gravity", "nowhere").has_value());
  CHECK(event.interpreters.front().id == "vi-ko");

  auto slots = derive_slots(event);
  REQUIRE(slots.size() == 36);
  CHECK(utc(slots[0].start_utc) == "2023-09-13T00:30:00Z");
  CHECK(format_local(slots[0].start_utc, event.time_zone) == "2023-09-13T09:30:00+09:00");
  CHECK(slots[0].session == "morning");
  // Afternoon 13:30-17:30 with a break 15:30-16:00: 4 slots, then 3 after the break.
  CHECK(slots[5].session == "afternoon");
  CHECK(format_local(slots[5].start_utc, "Asia/Seoul") == "2023-09-13T13:30:00+09:00");
  CHECK(format_local(slots[8].end_utc, "Asia/Seoul") == "2023-09-13T15:30:00+09:00");
  CHECK(format_local(slots[9].start_utc, "Asia/Seoul") == "2023-09-13T16:00:00+09:00");
  CHECK(slots[12].day == 1);
  for (std::size_t i = 0; i < slots.size(); ++i) {
    CHECK(slots[i].index == static_cast<int>(i));
    CHECK(slots[i].end_utc - slots[i].start_utc == std::chrono::minutes(30));
    if (i > 0) CHECK(slots[i].start_utc >= slots[i - 1].end_utc);
  }
}

TEST_CASE("a slot never crosses a break and a short remainder is left unused") {
  auto event = parse_event(event_json(
      "Asia/Seoul", "2023-09-13",
      R"([{"name":"morning","start":"09:00","end":"12:10","breaks":[{"start":"10:15","end":"10:30"}]}])",
      45));
  auto slots = derive_slots(event);
  // 09:00-10:15 holds one 45-minute slot (09:00-09:45); 10:30-12:10 holds two (10:30-12:00).
  REQUIRE(slots.size() == 3);
  CHECK(format_local(slots[0].start_utc, "Asia/Seoul") == "2023-09-13T09:00:00+09:00");
  CHECK(format_local(slots[1].start_utc, "Asia/Seoul") == "2023-09-13T10:30:00+09:00");
  CHECK(format_local(slots[2].end_utc, "Asia/Seoul") == "2023-09-13T12:00:00+09:00");
}

TEST_CASE("slots render in a half-hour-offset zone: Asia/Kolkata") {
  auto event = parse_event(event_json("Asia/Kolkata", "2023-09-13",
                                      R"([{"name":"morning","start":"09:00","end":"10:00"}])"));
  auto slots = derive_slots(event);
  REQUIRE(slots.size() == 2);
  CHECK(utc(slots[0].start_utc) == "2023-09-13T03:30:00Z");
  CHECK(format_local(slots[0].start_utc, "Asia/Kolkata") == "2023-09-13T09:00:00+05:30");
  CHECK(format_local(slots[1].end_utc, "Asia/Kolkata") == "2023-09-13T10:00:00+05:30");
  // The same instant as a Seoul participant sees it.
  CHECK(format_local(slots[0].start_utc, "Asia/Seoul") == "2023-09-13T12:30:00+09:00");
}

TEST_CASE("Australia/Adelaide: half-hour offset that changes with daylight saving") {
  auto winter = parse_event(event_json("Australia/Adelaide", "2023-09-13",
                                       R"([{"name":"morning","start":"09:00","end":"09:30"}])"));
  auto slot = derive_slots(winter).at(0);
  CHECK(utc(slot.start_utc) == "2023-09-12T23:30:00Z");
  CHECK(format_local(slot.start_utc, "Australia/Adelaide") == "2023-09-13T09:00:00+09:30");

  auto summer = parse_event(event_json("Australia/Adelaide", "2023-12-13",
                                       R"([{"name":"morning","start":"09:00","end":"09:30"}])"));
  auto summer_slot = derive_slots(summer).at(0);
  CHECK(utc(summer_slot.start_utc) == "2023-12-12T22:30:00Z");
  CHECK(format_local(summer_slot.start_utc, "Australia/Adelaide") == "2023-12-13T09:00:00+10:30");
}

TEST_CASE("local times skipped or repeated by a clock change are refused") {
  // Adelaide skips 02:00-03:00 on 2023-10-01.
  CHECK(reason_of([] {
          parse_event(event_json("Australia/Adelaide", "2023-10-01",
                                 R"([{"name":"night","start":"01:00","end":"04:00"}])"));
        }) == "nonexistent_local_time@days[0].sessions[0]");
  // New York repeats 01:00-02:00 on 2023-11-05.
  CHECK(reason_of([] {
          parse_event(event_json("America/New_York", "2023-11-05",
                                 R"([{"name":"night","start":"00:00","end":"03:00"}])"));
        }) == "ambiguous_local_time@days[0].sessions[0]");
  // The same hours on a normal day are fine.
  CHECK(derive_slots(parse_event(event_json("America/New_York", "2023-11-06",
                                            R"([{"name":"night","start":"00:00","end":"03:00"}])")))
            .size() == 6);
  CHECK(reason_of([] {
          sangdam::event::local_to_utc(date::local_days{date::year{2023} / 3 / 12} +
                                           std::chrono::hours(2) + std::chrono::minutes(30),
                                       "America/New_York", "start");
        }) == "nonexistent_local_time@start");
}

TEST_CASE("bad event definitions name the field at fault") {
  const std::string ok_sessions = R"([{"name":"morning","start":"09:00","end":"12:00"}])";
  CHECK(reason_of([&] { parse_event(event_json("Asia/Nowhere", "2023-09-13", ok_sessions)); }) ==
        "unknown_time_zone@time_zone");
  CHECK(reason_of([&] { parse_event(event_json("Asia/Seoul", "2023-02-30", ok_sessions)); }) ==
        "invalid_date@days[0].date");
  CHECK(reason_of([&] { parse_event(event_json("Asia/Seoul", "13/09/2023", ok_sessions)); }) ==
        "invalid_date@days[0].date");
  CHECK(reason_of([&] {
          parse_event(event_json("Asia/Seoul", "2023-09-13",
                                 R"([{"name":"a","start":"09:00","end":"12:00"},
                                     {"name":"b","start":"11:30","end":"13:00"}])"));
        }) == "overlapping_sessions@days[0].sessions");
  CHECK(reason_of([&] {
          parse_event(event_json("Asia/Seoul", "2023-09-13",
                                 R"([{"name":"a","start":"9:00","end":"12:00"}])"));
        }) == "invalid_time@days[0].sessions[0].start");
  CHECK(reason_of([&] {
          parse_event(event_json("Asia/Seoul", "2023-09-13",
                                 R"([{"name":"a","start":"12:00","end":"09:00"}])"));
        }) == "invalid_time@days[0].sessions[0].end");
  CHECK(reason_of([&] {
          parse_event(event_json("Asia/Seoul", "2023-09-13",
                                 R"([{"name":"a","start":"09:00","end":"12:00",
                                      "breaks":[{"start":"12:30","end":"13:00"}]}])"));
        }) == "break_outside_session@days[0].sessions[0].breaks[0]");
  CHECK(reason_of([&] { parse_event(event_json("Asia/Seoul", "2023-09-13", ok_sessions, 2)); }) ==
        "out_of_range@slot_minutes");
  CHECK(reason_of([&] {
          parse_event(event_json("Asia/Seoul", "2023-09-13",
                                 R"([{"name":"a","start":"09:00","end":"09:20"}])"));
        }) == "no_slots@slot_minutes");
  CHECK(reason_of([] { parse_event("[]"); }) == "wrong_type@");
  CHECK(reason_of([] { parse_event("{\"name\":"); }) == "malformed_json@");

  const std::string two_venues =
      R"({"name":"t","time_zone":"Asia/Seoul","slot_minutes":30,
          "days":[{"date":"2023-09-13","sessions":[{"name":"m","start":"09:00","end":"10:00"}]}],
          "venues":[{"id":"a","name":"A","tables":["A1","A2"]},{"id":"b","name":"B","tables":1}])";
  CHECK(reason_of([&] { parse_event(two_venues + "}"); }) == "missing_travel_time@travel");
  CHECK(reason_of([&] {
          parse_event(two_venues + R"(,"travel":[{"from":"a","to":"c","minutes":5}]})");
        }) == "unknown_venue@travel[0].to");
  CHECK(reason_of([&] {
          parse_event(two_venues + R"(,"travel":[{"from":"a","to":"b","minutes":5}],
                      "interpreters":[{"languages":["vi","xx"],"count":1}]})");
        }) == "unknown_language@interpreters[0].languages[1]");
  CHECK(reason_of([&] {
          parse_event(two_venues + R"(,"travel":[{"from":"a","to":"b","minutes":5}],
                      "interpreters":[{"languages":["vi","ko"],"available_slots":[2]}]})");
        }) == "out_of_range@interpreters[0].available_slots");
  CHECK(reason_of([&] {
          parse_event(two_venues + R"(,"travel":[{"from":"a","to":"b","minutes":5}],
                      "policies":{"max_meetings_per_day":0}})");
        }) == "out_of_range@policies.max_meetings_per_day");
  CHECK(reason_of([&] {
          parse_event(two_venues + R"(,"travel":[{"from":"a","to":"b","minutes":5}],"colour":1})");
        }) == "unknown_field@colour");
  auto event = parse_event(two_venues + R"(,"travel":[{"from":"a","to":"b","minutes":5}]})");
  CHECK(event.find_venue("a")->tables == std::vector<std::string>{"A1", "A2"});
  CHECK(event.policies.max_meetings_per_day == 8);
}

TEST_CASE("to_json shows local and UTC slot times and parses back to the same event") {
  auto event = parse_event(read_repo_file("config/samples/seongnam-2023/event.json"));
  std::string json = sangdam::event::to_json(event);
  CHECK(json.find(R"("start":"2023-09-13T09:30:00+09:00")") != std::string::npos);
  CHECK(json.find(R"("start_utc":"2023-09-13T00:30:00Z")") != std::string::npos);
  auto again = parse_event(json);
  CHECK(sangdam::event::to_json(again) == json);
  CHECK(derive_slots(again).size() == derive_slots(event).size());
}
