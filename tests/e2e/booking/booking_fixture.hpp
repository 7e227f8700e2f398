// Shared by the booking tests: a small event with two venues, few tables and one interpreter,
// participants registered through the API, and an independent check of every booking invariant
// straight from what Redis holds (not through the store's own code).
#pragma once

#include <rapidjson/document.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/support/sangdam_stack.hpp"

namespace sangdam::testing::booking {

// Two days of six 30-minute slots (09:00-12:00 Seoul): slots 0..5 on day 0, 6..11 on day 1.
// hall: tables T1, T2; tower: K1; 40 minutes between them; one vi-ko interpreter.
inline std::string event_json(bool self_booking = true, int max_per_day = 3) {
  return R"({"name":"Booking test","time_zone":"Asia/Seoul","slot_minutes":30,
"days":[{"date":"2023-09-13","sessions":[{"name":"morning","start":"09:00","end":"12:00","breaks":[]}]},
        {"date":"2023-09-14","sessions":[{"name":"morning","start":"09:00","end":"12:00","breaks":[]}]}],
"venues":[{"id":"hall","name":"Main hall","tables":2},{"id":"tower","name":"Kins Tower","tables":["K1"]}],
"travel":[{"from":"hall","to":"tower","minutes":40}],
"interpreters":[{"languages":["vi","ko"],"count":1}],
"policies":{"max_meetings_per_day":)" +
         std::to_string(max_per_day) + R"(,"self_booking":)" + (self_booking ? "true" : "false") +
         "}}";
}

inline std::string buyer_json(const std::string& external_id, const std::string& languages,
                              const std::string& extra = "") {
  return R"({"role":"buyer","external_id":")" + external_id + R"(","organisation":"Buyer )" +
         external_id +
         R"(","country":"VN","buyer_type":"hospital","categories":["hospital_equipment.respiratory"],"languages":)" +
         languages + extra + "}";
}

inline std::string company_json(const std::string& external_id, const std::string& languages,
                                const std::string& venue, const std::string& extra = "") {
  return R"({"role":"company","external_id":")" + external_id + R"(","name_en":"Company )" +
         external_id + R"(","categories":["hospital_equipment.respiratory"],"languages":)" +
         languages + R"(,"venue":")" + venue + "\"" + extra + "}";
}

struct Party {
  std::string id;
  std::string token;
};

struct TestEvent {
  std::string id;
  std::string organizer_token;
  std::string base;  // "/v1/events/<id>"
};

inline TestEvent create_event(const std::string& url, const std::string& body) {
  auto created = call(url, kAdminToken, "POST", "/v1/events", body);
  if (created.status != 201) throw std::runtime_error("creating the event: " + created.body);
  TestEvent ev{created.json["id"].GetString(), created.json["organizer_token"].GetString(), ""};
  ev.base = "/v1/events/" + ev.id;
  return ev;
}

inline Party add_participant(const std::string& url, const TestEvent& ev,
                             const std::string& profile) {
  auto created = call(url, ev.organizer_token, "POST", ev.base + "/participants", profile);
  if (created.status != 201) throw std::runtime_error("registering: " + created.body);
  return {created.json["id"].GetString(), created.json["token"].GetString()};
}

inline std::string booking_body(const std::string& buyer, const std::string& company, int slot,
                                const std::string& key = "") {
  std::string body = R"({"buyer_id":")" + buyer + R"(","company_id":")" + company + R"(","slot":)" +
                     std::to_string(slot);
  if (!key.empty()) body += R"(,"idempotency_key":")" + key + "\"";
  return body + "}";
}

// What the invariant check knows about the event and the participants (from the test's own
// setup, not from the store).
struct World {
  int slots_per_day = 6;
  int max_per_day = 3;
  std::map<std::string, std::vector<std::string>> venue_tables;  // venue -> labels
  std::map<std::pair<std::string, std::string>, int> travel;     // both directions
  int slot_minutes = 30;
  std::map<std::string, int> interpreters;  // pool -> count (every slot)
  struct Company {
    std::string venue, table;
    int seats = 1;
    std::set<int> unavailable;
    std::set<std::string> languages;
  };
  struct Buyer {
    std::set<int> unavailable;
    std::set<std::string> languages;
  };
  std::map<std::string, Company> companies;
  std::map<std::string, Buyer> buyers;
};

struct StoredMeeting {
  std::string id, buyer, company, venue, table, interpreter, status;
  int slot = -1;
};

// Every meeting in the event's meetings hash (HVALS), parsed without the store's code.
std::vector<StoredMeeting> read_stored_meetings(int redis_port, const std::string& event_id);

// Every invariant of the timetable; returns the violations (empty when all hold).
std::vector<std::string> violations(const World& world, const std::vector<StoredMeeting>& all);

}  // namespace sangdam::testing::booking
