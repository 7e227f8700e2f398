// The event day and after, end to end through the gateway and ledger processes and a real
// redis-server: meetings booked, check-ins, outcomes from both sides (one disagreement), deals
// with a status change and their history, the report's totals against what the records imply
// (also after duplicate POSTs), the ledger service's stored report, and the agenda as an
// iCalendar file parsed by python3-icalendar (a rescheduled meeting keeps its UID).
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "matching/event/event.hpp"
#include "services/common/bus.hpp"
#include "services/common/http_call.hpp"
#include "services/common/meeting_store.hpp"
#include "services/common/redis.hpp"
#include "tests/e2e/booking/booking_fixture.hpp"
#include "tests/support/async.hpp"
#include "tests/support/http_client.hpp"

using namespace sangdam::testing;
using namespace sangdam::testing::booking;

namespace {

long long outcome_events(int port, const std::string& event_id) {
  sangdam::redis::Command len{"XLEN", sangdam::bus::stream_for({}, "outcomes", event_id)};
  return redis_call(port, std::move(len)).integer;
}

std::string book(const std::string& url, const TestEvent& ev, const Party& buyer,
                 const Party& company, int slot) {
  auto booked = call(url, ev.organizer_token, "POST", ev.base + "/bookings",
                     booking_body(buyer.id, company.id, slot));
  if (booked.status != 201) throw std::runtime_error("booking: " + booked.body);
  return booked.json["id"].GetString();
}

std::string amount(const rapidjson::Value& total, const char* currency) {
  for (const auto& money : total["original"].GetArray()) {
    if (std::string(money["currency"].GetString()) == currency) return money["amount"].GetString();
  }
  return "0.00";
}

// One VEVENT as python3-icalendar read it back.
struct CalendarEvent {
  std::string uid, status, summary, location;
  int sequence = -1;
};

std::vector<CalendarEvent> parse_ics(const std::string& ics) {
  char path[] = "/tmp/sangdam_ledger_XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) throw std::runtime_error("mkstemp");
  close(fd);
  std::ofstream(path, std::ios::binary) << ics;
  // The Debian interpreter: it has python3-icalendar (a pyenv python3 may come first in PATH).
  std::string command =
      "/usr/bin/python3 -c \"import sys, icalendar\n"
      "cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())\n"
      "for e in cal.walk('VEVENT'):\n"
      "    print('\\t'.join([str(e['UID']), str(e['SEQUENCE']), str(e['STATUS']), "
      "str(e['SUMMARY']), str(e['LOCATION']).replace('\\n', ' ')]))\" " +
      std::string(path) + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  std::string out;
  char buffer[4096];
  while (pipe && fgets(buffer, sizeof buffer, pipe)) out += buffer;
  int status = pipe ? pclose(pipe) : -1;
  std::remove(path);
  if (status != 0) throw std::runtime_error("icalendar could not read the file: " + out);
  std::vector<CalendarEvent> events;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    std::vector<std::string> cells;
    std::istringstream row(line);
    for (std::string cell; std::getline(row, cell, '\t');) cells.push_back(cell);
    if (cells.size() != 5) throw std::runtime_error("unexpected icalendar output: " + line);
    events.push_back({cells[0], cells[2], cells[3], cells[4], std::stoi(cells[1])});
  }
  return events;
}

}  // namespace

TEST_CASE("ledger: check-ins, outcomes and deals add up in the report, retries change nothing") {
  SangdamStack stack({"gateway", "ledger"});
  auto url = stack.gateway_url();
  int port = stack.redis().port();
  auto ev = create_event(url, event_json(true, 4));
  const std::string org = ev.organizer_token;
  auto b1 = add_participant(url, ev, buyer_json("B-1", R"(["en"])"));
  auto b2 = add_participant(url, ev, buyer_json("B-2", R"(["en"])"));
  auto b3 = add_participant(url, ev, buyer_json("B-3", R"(["en"])"));
  auto c1 = add_participant(url, ev, company_json("C-1", R"(["en"])", "hall"));
  auto c2 = add_participant(url, ev, company_json("C-2", R"(["en"])", "hall"));
  std::string m1 = book(url, ev, b1, c1, 0);
  std::string m2 = book(url, ev, b2, c1, 1);
  std::string m3 = book(url, ev, b3, c2, 0);
  std::string m4 = book(url, ev, b1, c2, 2);
  auto meeting = [&ev](const std::string& m) { return ev.base + "/meetings/" + m; };

  // Check-ins: each side itself, or the organizer for either side.
  auto b1_in = call(url, b1.token, "POST", meeting(m1) + "/checkin", "{}");
  REQUIRE(b1_in.status == 201);
  CHECK(std::string(b1_in.json["arrived"].GetString()) == "buyer");
  auto c1_late = call(url, c1.token, "POST", meeting(m1) + "/checkin", R"({"late_minutes":5})");
  REQUIRE(c1_late.status == 201);
  CHECK(call(url, org, "POST", meeting(m2) + "/checkin", R"({"arrived":"company"})").status == 201);
  CHECK(call(url, b1.token, "POST", meeting(m1) + "/checkin", R"({"arrived":"company"})").status ==
        403);
  CHECK(call(url, b2.token, "POST", meeting(m1) + "/checkin", "{}").status == 404);
  CHECK(error_code(call(url, org, "POST", meeting(m1) + "/checkin", "{}")) == "missing_field");
  CHECK(error_field(call(url, c1.token, "POST", meeting(m1) + "/checkin",
                         R"({"late_minutes":"five"})")) == "late_minutes");
  CHECK(error_code(call(url, c1.token, "POST", meeting(m1) + "/checkin", R"({"at":"now"})")) ==
        "field_not_allowed");
  // The same check-in again is the same record: 200, no second bus event.
  long long events_before = outcome_events(port, ev.id);
  auto again = call(url, b1.token, "POST", meeting(m1) + "/checkin", "{}");
  CHECK(again.status == 200);
  CHECK(std::string(again.json["id"].GetString()) == b1_in.json["id"].GetString());
  CHECK(outcome_events(port, ev.id) == events_before);

  // Outcomes. m1: both sides say held, values and ratings differ (company's value, lower
  // rating). m2: the company says no-show, the buyer says held (disputed, held, buyer's
  // value in KRW). m3: the organizer says the company did not come. m4: nobody reports.
  const std::string b1_m1 =
      R"({"outcome":"held","rating":"informative","value":{"amount":"100000.00","currency":"USD"}})";
  const std::string c1_m1 =
      R"({"outcome":"held","rating":"cooperation_likely","value":{"amount":"150000.00","currency":"USD"},"follow_up":true,"notes":"samples; price list"})";
  REQUIRE(call(url, b1.token, "POST", meeting(m1) + "/outcome", b1_m1).status == 201);
  auto c1_report = call(url, c1.token, "POST", meeting(m1) + "/outcome", c1_m1);
  REQUIRE(c1_report.status == 201);
  CHECK(std::string(c1_report.json["reporter"].GetString()) == "company");
  REQUIRE(call(url, c1.token, "POST", meeting(m2) + "/outcome",
               R"({"outcome":"no_show","absent":"buyer"})")
              .status == 201);
  REQUIRE(
      call(
          url, b2.token, "POST", meeting(m2) + "/outcome",
          R"({"outcome":"held","rating":"no_real_interest","value":{"amount":"130000000","currency":"KRW"}})")
          .status == 201);
  REQUIRE(call(url, org, "POST", meeting(m3) + "/outcome",
               R"({"outcome":"no_show","absent":"company"})")
              .status == 201);
  CHECK(error_field(call(url, b1.token, "POST", meeting(m1) + "/outcome",
                         R"({"outcome":"held","rating":"great"})")) == "rating");
  CHECK(error_field(call(url, b1.token, "POST", meeting(m1) + "/outcome",
                         R"({"outcome":"held","value":{"amount":12,"currency":"USD"}})"))
            .rfind("value", 0) == 0);
  CHECK(error_code(call(url, b1.token, "POST", meeting(m1) + "/outcome",
                        R"({"rating":"informative"})")) == "missing_field");
  CHECK(call(url, b3.token, "POST", meeting(m1) + "/outcome", b1_m1).status == 404);

  // Deals: the company or the organizer records them; the buyer only reads.
  const std::string contract =
      R"({"kind":"contract","buyer_id":")" + b1.id + R"(","company_id":")" + c1.id +
      R"(","value":{"amount":"1800000.00","currency":"USD"},"signed_on":"2023-09-13","meeting_ids":[")" +
      m1 + R"("],"on_site":true})";
  sangdam::HttpCall c1_http(url, c1.token, std::chrono::seconds(10));
  auto created = c1_http.send("POST", ev.base + "/deals", contract, "application/json",
                              {{"Idempotency-Key", "contract-1"}});
  REQUIRE(created.status == 201);
  auto replayed = c1_http.send("POST", ev.base + "/deals", contract, "application/json",
                               {{"Idempotency-Key", "contract-1"}});
  CHECK(replayed.status == 200);
  CHECK(replayed.body == created.body);
  const std::string mou =
      R"({"kind":"mou","buyer_id":")" + b2.id + R"(","company_id":")" + c1.id +
      R"(","value":{"amount":"1000000.00","currency":"USD"},"signed_on":"2023-09-14","meeting_ids":[")" +
      m2 + R"("]})";
  auto mou_created = call(url, c1.token, "POST", ev.base + "/deals", mou);
  REQUIRE(mou_created.status == 201);
  std::string mou_id = mou_created.json["id"].GetString();
  auto cancelled =
      call(url, c1.token, "PATCH", ev.base + "/deals/" + mou_id, R"({"status":"cancelled"})");
  REQUIRE(cancelled.status == 200);
  CHECK(cancelled.json["version"].GetInt() == 2);
  CHECK(cancelled.json["history"].Size() == 2);
  CHECK(std::string(cancelled.json["history"][0]["deal"]["status"].GetString()) == "signed");
  CHECK(std::string(cancelled.json["current"]["deal"]["status"].GetString()) == "cancelled");
  CHECK(error_code(call(url, c1.token, "PATCH", ev.base + "/deals/" + mou_id,
                        R"({"status":"signed"})")) == "invalid_deal_transition");
  auto read_back = call(url, b2.token, "GET", ev.base + "/deals/" + mou_id);
  REQUIRE(read_back.status == 200);
  CHECK(read_back.json["history"].Size() == 2);
  CHECK(call(url, b3.token, "GET", ev.base + "/deals/" + mou_id).status == 404);
  CHECK(call(url, b1.token, "POST", ev.base + "/deals", contract).status == 403);
  const std::string krw_mou =
      R"({"kind":"mou","buyer_id":")" + b3.id + R"(","company_id":")" + c2.id +
      R"(","value":{"amount":"500000000","currency":"KRW"},"signed_on":"2023-09-14"})";
  REQUIRE(call(url, org, "POST", ev.base + "/deals", krw_mou).status == 201);
  CHECK(
      error_code(call(
          url, org, "POST", ev.base + "/deals",
          R"({"kind":"mou","buyer_id":")" + b1.id + R"(","company_id":")" + c2.id +
              R"(","value":{"amount":"1.00","currency":"USD"},"signed_on":"2023-09-14","meeting_ids":[")" +
              m1 + R"("]})")) == "meeting_of_other_pair");
  CHECK(error_field(call(url, org, "POST", ev.base + "/deals",
                         R"({"kind":"loan","buyer_id":")" + b1.id + R"(","company_id":")" + c1.id +
                             R"("})")) == "kind");

  // The report: what the records above imply, by hand.
  auto check_totals = [&](const JsonAnswer& report) {
    REQUIRE(report.status == 200);
    const auto& t = report.json["totals"];
    CHECK(t["meetings"].GetInt() == 4);
    CHECK(t["reported"].GetInt() == 3);
    CHECK(t["held"].GetInt() == 2);
    CHECK(t["no_shows"].GetInt() == 1);
    CHECK(t["disputed"].GetInt() == 1);
    CHECK(t["follow_ups"].GetInt() == 1);
    CHECK(t["ratings"]["informative"].GetInt() == 1);       // m1: the lower of the two
    CHECK(t["ratings"]["no_real_interest"].GetInt() == 1);  // m2: the buyer's
    CHECK(amount(t["held_value"], "USD") == "150000.00");   // m1: the company's figure
    CHECK(amount(t["held_value"], "KRW") == "130000000.00");
    CHECK(t["contracts"].GetInt() == 1);
    CHECK(t["on_site_contracts"].GetInt() == 1);
    CHECK(amount(t["contract_value"], "USD") == "1800000.00");
    CHECK(t["mous"].GetInt() == 1);  // the cancelled MOU does not count
    CHECK(amount(t["mou_value"], "KRW") == "500000000.00");
    CHECK(amount(t["mou_value"], "USD") == "0.00");
    // Attendance: c2 missed m3 (the organizer said so); nobody else is charged.
    const auto& attendance = report.json["attendance"];
    CHECK(attendance[c2.id.c_str()]["no_shows"].GetInt() == 1);
    CHECK(attendance[b2.id.c_str()]["no_shows"].GetInt() == 0);
    CHECK(attendance[c1.id.c_str()]["late"].GetInt() == 1);
    CHECK(attendance[b1.id.c_str()]["checked_in"].GetInt() == 1);
  };
  auto report = call(url, org, "GET", ev.base + "/report");
  check_totals(report);
  CHECK(call(url, c1.token, "GET", ev.base + "/report").status == 403);
  CHECK(error_field(call(url, org, "GET", ev.base + "/report?format=xml")) == "format");

  // Duplicates: the same outcome and check-in again, and a replayed deal: nothing changes.
  events_before = outcome_events(port, ev.id);
  CHECK(call(url, c1.token, "POST", meeting(m1) + "/outcome", c1_m1).status == 200);
  CHECK(call(url, c1.token, "POST", meeting(m1) + "/checkin", R"({"late_minutes":5})").status ==
        200);
  CHECK(c1_http
            .send("POST", ev.base + "/deals", contract, "application/json",
                  {{"Idempotency-Key", "contract-1"}})
            .status == 200);
  CHECK(outcome_events(port, ev.id) == events_before);
  auto after = call(url, org, "GET", ev.base + "/report");
  CHECK(after.body == report.body);

  // The ledger service keeps the same report in Redis once it has seen every message.
  sangdam::redis::Command stored_report{"GET", "sangdam:{ev:" + ev.id + "}:report"};
  CHECK(eventually(
      [&] {
        auto stored = redis_call(port, stored_report);
        return !stored.is_nil() && stored.str == report.body;
      },
      std::chrono::seconds(10)));

  // Now current, the stored copy is what GET serves; a new record makes it stale at once.
  HttpClient raw(static_cast<unsigned short>(stack.service("gateway").port()));
  const Headers auth{{"Authorization", "Bearer " + org}};
  auto served = raw.request(boost::beast::http::verb::get, ev.base + "/report", {}, auth);
  CHECK(served.header("X-Report-Source") == "stored");
  CHECK(served.body == report.body);
  REQUIRE(call(url, b1.token, "POST", meeting(m4) + "/outcome", R"({"outcome":"held"})").status ==
          201);
  auto fresh = raw.request(boost::beast::http::verb::get, ev.base + "/report", {}, auth);
  CHECK(fresh.header("X-Report-Source") == "computed");
  rapidjson::Document fresh_json;
  fresh_json.Parse(fresh.body.c_str(), fresh.body.size());
  CHECK(fresh_json["totals"]["held"].GetInt() == 3);

  // A retried PATCH answers with the version its key made, even after the deal moved on.
  const std::string patch_key = "fulfil-1";
  rapidjson::Document created_json;
  created_json.Parse(created.body.c_str(), created.body.size());
  const std::string contract_id = created_json["id"].GetString();
  auto fulfil = [&] {
    return c1_http.send("PATCH", ev.base + "/deals/" + contract_id, R"({"status":"fulfilled"})",
                        "application/json", {{"Idempotency-Key", patch_key}});
  };
  auto fulfilled = fulfil();
  REQUIRE(fulfilled.status == 200);
  CHECK(fulfil().body == fulfilled.body);
  auto deal_now = call(url, org, "GET", ev.base + "/deals/" + contract_id);
  CHECK(deal_now.json["version"].GetInt() == 2);
  CHECK(std::string(deal_now.json["current"]["deal"]["status"].GetString()) == "fulfilled");

  // CSV: a header and one row per line, the total first (m4 now reported held).
  sangdam::HttpCall org_http(url, org, std::chrono::seconds(10));
  auto csv = org_http.send("GET", ev.base + "/report?format=csv");
  REQUIRE(csv.status == 200);
  CHECK(csv.content_type.rfind("text/csv", 0) == 0);
  CHECK(csv.body.rfind("dimension,key,label,meetings,reported,held,no_shows", 0) == 0);
  CHECK(csv.body.find("\r\ntotal,all,all,4,4,3,1,") != std::string::npos);
}

TEST_CASE("ledger: the agenda as iCalendar keeps a meeting's UID across a reschedule") {
  SangdamStack stack({"gateway"});
  auto url = stack.gateway_url();
  auto ev = create_event(url, event_json(true, 4));
  auto b1 = add_participant(url, ev, buyer_json("B-1", R"(["en"])"));
  auto c1 = add_participant(url, ev, company_json("C-1", R"(["en"])", "hall"));
  auto c2 = add_participant(url, ev, company_json("C-2", R"(["en"])", "hall"));
  std::string booked = book(url, ev, b1, c1, 0);
  std::string agenda = ev.base + "/participants/" + b1.id + "/agenda.ics";

  // The scheduler publishes a meeting for b1 and c2 at slot 2, then moves it to slot 4.
  boost::asio::io_context io;
  sangdam::redis::Options options;
  options.port = stack.redis().port();
  auto client = sangdam::redis::connect(io.get_executor(), options);
  sangdam::EventInfo info;
  info.id = ev.id;
  info.event = sangdam::event::parse_event(event_json(true, 4));
  info.event.id = ev.id;
  auto publish = [&](int slot) {
    sangdam::meetings::Meeting placement;
    placement.buyer_id = b1.id;
    placement.company_id = c2.id;
    placement.slot = slot;
    return run_sync(io, sangdam::meetings::publish(*client, {}, info, {placement},
                                                   "run-" + std::to_string(slot)));
  };
  auto first = publish(2);
  REQUIRE(first.placed == 1);
  std::string scheduled_id = first.changes.at(0).meeting.id;

  sangdam::HttpCall http(url, b1.token, std::chrono::seconds(10));
  auto before = http.send("GET", agenda);
  REQUIRE(before.status == 200);
  CHECK(before.content_type.rfind("text/calendar", 0) == 0);
  auto events_before = parse_ics(before.body);
  REQUIRE(events_before.size() == 2);

  auto moved = publish(4);
  REQUIRE(moved.moved == 1);
  REQUIRE(call(url, b1.token, "DELETE", ev.base + "/meetings/" + booked).status == 200);
  client->close();

  // Accept: text/calendar on the JSON path gives the same file format.
  auto after = http.send("GET", ev.base + "/participants/" + b1.id + "/agenda", {},
                         "application/json", {{"Accept", "text/calendar"}});
  REQUIRE(after.status == 200);
  auto events_after = parse_ics(after.body);
  REQUIRE(events_after.size() == 2);
  auto find = [](const std::vector<CalendarEvent>& all, const std::string& meeting_id) {
    for (const auto& e : all) {
      if (e.uid == meeting_id + "@sangdam") return e;
    }
    throw std::runtime_error("no VEVENT for " + meeting_id);
  };
  auto moved_before = find(events_before, scheduled_id);
  auto moved_after = find(events_after, scheduled_id);
  CHECK(moved_after.sequence > moved_before.sequence);
  CHECK(moved_after.status == "CONFIRMED");
  CHECK(moved_after.summary == "Consultation: Company C-2");
  CHECK(moved_after.location.find("Main hall") != std::string::npos);
  auto booked_after = find(events_after, booked);
  CHECK(booked_after.status == "CANCELLED");
  CHECK(booked_after.sequence > find(events_before, booked).sequence);

  // Only b1 and the organizer see b1's calendar.
  CHECK(call(url, c1.token, "GET", agenda).status == 403);
  CHECK(call(url, ev.organizer_token, "GET", agenda).status == 200);
}
