// Self-booking end to end through the gateway process and a real redis-server: every resource
// checked (409 with the reason), cancelling frees what a meeting held, idempotency, who may do
// what, the bus events, and the booking race of 64 concurrent clients.
#include <catch2/catch.hpp>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <mutex>
#include <random>
#include <thread>

#include "services/common/http_call.hpp"
#include "services/common/redis.hpp"
#include "tests/e2e/booking/booking_fixture.hpp"
#include "tests/support/async.hpp"

using namespace sangdam::testing;
using namespace sangdam::testing::booking;

namespace {

// Types of the entries on the meetings topic of the event, in order.
std::vector<std::string> bus_types(int port, const std::string& event_id) {
  sangdam::redis::Command range{"XRANGE", "sangdam:meetings:0", "-", "+"};
  auto entries = redis_call(port, std::move(range));
  std::vector<std::string> types;
  for (const auto& entry : entries.elements) {
    const auto& fields = entry.elements.at(1).elements;
    std::string type, event;
    for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
      if (fields[i].str == "type") type = fields[i + 1].str;
      if (fields[i].str == "event") event = fields[i + 1].str;
    }
    if (event == event_id) types.push_back(type);
  }
  return types;
}

}  // namespace

TEST_CASE("booking checks every resource together and cancelling frees them") {
  SangdamStack stack({"gateway"});
  auto url = stack.gateway_url();
  auto ev = create_event(url, event_json());
  auto org = ev.organizer_token;
  auto b1 = add_participant(url, ev, buyer_json("B-1", R"(["vi","en"])"));
  auto b2 = add_participant(url, ev, buyer_json("B-2", R"(["vi"])"));
  auto b3 = add_participant(url, ev, buyer_json("B-3", R"(["en"])"));
  auto b4 = add_participant(url, ev, buyer_json("B-4", R"(["vi"])"));
  auto b5 = add_participant(url, ev, buyer_json("B-5", R"(["en"])"));
  auto b6 = add_participant(url, ev, buyer_json("B-6", R"(["en"])"));
  auto c1 = add_participant(url, ev, company_json("C-1", R"(["ko","en"])", "hall"));
  auto c2 = add_participant(url, ev, company_json("C-2", R"(["ko"])", "hall"));
  auto c3 = add_participant(url, ev, company_json("C-3", R"(["en"])", "hall"));
  auto c4 = add_participant(url, ev, company_json("C-4", R"(["ko"])", "tower"));
  auto c5 = add_participant(
      url, ev, company_json("C-5", R"(["en"])", "hall", R"(,"unavailable_slots":[2])"));
  auto c6 = add_participant(
      url, ev, company_json("C-6", R"(["en","ko"])", "hall", R"(,"table":"Booth-6","seats":2)"));
  std::string bookings = ev.base + "/bookings";
  auto book = [&](const Party& who, const Party& buyer, const Party& company, int slot) {
    return call(url, who.token, "POST", bookings, booking_body(buyer.id, company.id, slot));
  };

  auto first = book(b1, b1, c1, 0);
  REQUIRE(first.status == 201);
  CHECK(json_text(first, "table") == "T1");
  CHECK(json_text(first, "venue") == "hall");
  CHECK(json_text(first, "interpreter").empty());
  CHECK(json_text(first, "status") == "scheduled");
  CHECK(json_text(first, "source") == "booking");
  std::string first_id = json_text(first, "id");

  CHECK(error_code(book(b1, b1, c1, 1)) == "pair_already_meets");
  auto busy = book(b1, b1, c2, 0);
  CHECK(busy.status == 409);
  CHECK(error_code(busy) == "buyer_busy");
  CHECK(error_code(book(b2, b2, c1, 0)) == "company_busy");

  // No common language: the vi-ko interpreter is booked with the meeting.
  auto interpreted = book(c2, b2, c2, 0);
  REQUIRE(interpreted.status == 201);
  CHECK(json_text(interpreted, "interpreter") == "vi-ko");
  CHECK(json_text(interpreted, "table") == "T2");
  CHECK(error_code(book(b3, b3, c3, 0)) == "no_table");        // T1, T2 taken
  CHECK(error_code(book(b4, b4, c4, 0)) == "no_interpreter");  // the one is busy
  CHECK(error_code(book(b3, b3, c4, 0)) == "no_interpreter");  // en vs ko: none fits
  CHECK(error_code(book(b1, b1, c4, 1)) == "travel_time");     // hall at 0, 40 minutes away
  CHECK(error_code(book(b1, b1, c4, 2)) == "travel_time");     // a 30-minute gap is too short
  CHECK(error_code(book(b3, b3, c5, 2)) == "participant_unavailable");
  REQUIRE(book(b1, b1, c3, 1).status == 201);
  auto far = book(b1, b1, c4, 4);  // 60 minutes after slot 1 ends: time enough
  REQUIRE(far.status == 201);
  CHECK(json_text(far, "table") == "K1");
  CHECK(json_text(far, "interpreter") == "vi-ko");
  CHECK(error_code(book(b1, b1, c5, 5)) == "daily_limit");  // a fourth that day (max 3)

  // The company's own table holds as many parallel meetings as it has seats.
  auto seat1 = book(b4, b4, c6, 1);
  auto seat2 = book(b5, b5, c6, 1);
  INFO(seat1.body);
  REQUIRE(seat1.status == 201);
  REQUIRE(seat2.status == 201);
  CHECK(json_text(seat1, "table") == "Booth-6");
  CHECK(json_text(seat2, "table") == "Booth-6");
  CHECK(error_code(book(b6, b6, c6, 1)) == "company_busy");

  // Nothing of a refused booking stays behind: the timetable has exactly the accepted six.
  auto schedule = call(url, org, "GET", ev.base + "/schedule");
  REQUIRE(schedule.status == 200);
  CHECK(schedule.json["total"].GetInt() == 6);

  // Cancelling frees the buyer's slot, the table and the daily count.
  auto cancelled = call(url, b1.token, "DELETE", ev.base + "/meetings/" + first_id);
  REQUIRE(cancelled.status == 200);
  CHECK(json_text(cancelled, "status") == "cancelled");
  CHECK(cancelled.json["version"].GetInt() == 2);
  auto again = call(url, c1.token, "DELETE", ev.base + "/meetings/" + first_id);  // idempotent
  CHECK(again.status == 200);
  CHECK(again.json["version"].GetInt() == 2);
  auto freed = book(b1, b1, c5, 0);
  REQUIRE(freed.status == 201);
  CHECK(json_text(freed, "table") == "T1");
  CHECK(error_code(book(b3, b3, c3, 0)) == "no_table");  // T1 and T2 are held again

  // The agenda keeps the cancelled meeting (with its status) unless asked not to.
  auto agenda = call(url, b1.token, "GET", ev.base + "/participants/" + b1.id + "/agenda");
  REQUIRE(agenda.status == 200);
  std::vector<int> slots;
  int cancelled_count = 0;
  for (const auto& m : agenda.json["items"].GetArray()) {
    slots.push_back(m["slot"].GetInt());
    cancelled_count += std::string(m["status"].GetString()) == "cancelled";
  }
  CHECK(slots == std::vector<int>{0, 0, 1, 4});
  CHECK(cancelled_count == 1);
  auto live_only =
      call(url, org, "GET", ev.base + "/participants/" + b1.id + "/agenda?include_cancelled=false");
  CHECK(live_only.json["items"].Size() == 3);

  // The bus saw every change, in order, with nothing for the refused ones.
  auto types = bus_types(stack.redis().port(), ev.id);
  CHECK(std::count(types.begin(), types.end(), "meeting.placed") == 7);
  CHECK(std::count(types.begin(), types.end(), "meeting.cancelled") == 1);

  // Every stored meeting satisfies every invariant.
  World world;
  world.venue_tables = {{"hall", {"T1", "T2"}}, {"tower", {"K1"}}};
  world.travel = {{{"hall", "tower"}, 40}, {{"tower", "hall"}, 40}};
  world.interpreters = {{"vi-ko", 1}};
  for (const auto& [p, langs] :
       std::vector<std::pair<Party, std::set<std::string>>>{{b1, {"vi", "en"}},
                                                            {b2, {"vi"}},
                                                            {b3, {"en"}},
                                                            {b4, {"vi"}},
                                                            {b5, {"en"}},
                                                            {b6, {"en"}}}) {
    world.buyers[p.id] = {{}, langs};
  }
  world.companies[c1.id] = {"hall", "", 1, {}, {"ko", "en"}};
  world.companies[c2.id] = {"hall", "", 1, {}, {"ko"}};
  world.companies[c3.id] = {"hall", "", 1, {}, {"en"}};
  world.companies[c4.id] = {"tower", "", 1, {}, {"ko"}};
  world.companies[c5.id] = {"hall", "", 1, {2}, {"en"}};
  world.companies[c6.id] = {"hall", "Booth-6", 2, {}, {"en", "ko"}};
  auto problems = violations(world, read_stored_meetings(stack.redis().port(), ev.id));
  INFO(problems.size() << " violations, first: " << (problems.empty() ? "" : problems[0]));
  CHECK(problems.empty());
}

TEST_CASE("booking: idempotency keys, bad input and who may do what") {
  SangdamStack stack({"gateway"});
  auto url = stack.gateway_url();
  auto ev = create_event(url, event_json());
  auto b1 = add_participant(url, ev, buyer_json("B-1", R"(["en"])"));
  auto b2 = add_participant(url, ev, buyer_json("B-2", R"(["en"])"));
  auto c1 = add_participant(url, ev, company_json("C-1", R"(["en"])", "hall"));
  auto c2 = add_participant(url, ev, company_json("C-2", R"(["en"])", "hall"));
  std::string bookings = ev.base + "/bookings";

  auto once = call(url, b1.token, "POST", bookings, booking_body(b1.id, c1.id, 2, "retry-7"));
  REQUIRE(once.status == 201);
  auto twice = call(url, b1.token, "POST", bookings, booking_body(b1.id, c1.id, 2, "retry-7"));
  REQUIRE(twice.status == 201);
  CHECK(json_text(twice, "id") == json_text(once, "id"));
  auto reused = call(url, b1.token, "POST", bookings, booking_body(b1.id, c2.id, 3, "retry-7"));
  CHECK(reused.status == 422);
  CHECK(error_code(reused) == "idempotency_key_reused");
  {
    sangdam::HttpCall http(url, b1.token, std::chrono::seconds(10));
    auto header_key = http.send("POST", bookings, booking_body(b1.id, c1.id, 2), "application/json",
                                {{"Idempotency-Key", "retry-7"}});
    CHECK(header_key.status == 201);
    CHECK(header_key.body == twice.body);
  }

  // Bad input is a 400 naming the field, and changes nothing.
  auto bad_slot = call(url, b1.token, "POST", bookings, booking_body(b1.id, c2.id, 12));
  CHECK(bad_slot.status == 400);
  CHECK(std::string(bad_slot.json["error"]["field"].GetString()) == "slot");
  CHECK(call(url, b1.token, "POST", bookings, R"({"buyer_id":")" + b1.id + R"("})").status == 400);
  CHECK(call(url, b1.token, "POST", bookings, "{not json").status == 400);
  auto extra = call(
      url, b1.token, "POST", bookings,
      R"({"buyer_id":")" + b1.id + R"(","company_id":")" + c2.id + R"(","slot":1,"table":"T2"})");
  CHECK(error_code(extra) == "unknown_field");
  auto wrong_role = call(url, ev.organizer_token, "POST", bookings, booking_body(c1.id, c2.id, 1));
  CHECK(error_code(wrong_role) == "wrong_role");
  auto ghost =
      call(url, ev.organizer_token, "POST", bookings, booking_body("b_0000000000000000", c2.id, 1));
  CHECK(ghost.status == 404);
  CHECK(error_code(call(url, b1.token, "POST", bookings,
                        booking_body(b1.id, c2.id, 1, "bad key!"))) == "invalid_idempotency_key");

  // Participants book and see only their own meetings.
  CHECK(call(url, b2.token, "POST", bookings, booking_body(b1.id, c2.id, 1)).status == 403);
  std::string meeting = ev.base + "/meetings/" + json_text(once, "id");
  CHECK(call(url, b2.token, "GET", meeting).status == 404);
  CHECK(call(url, b2.token, "DELETE", meeting).status == 404);
  CHECK(call(url, c2.token, "DELETE", meeting).status == 404);
  CHECK(call(url, c1.token, "GET", meeting).status == 200);
  CHECK(call(url, b2.token, "GET", ev.base + "/schedule").status == 403);
  CHECK(call(url, b2.token, "GET", ev.base + "/participants/" + b1.id + "/agenda").status == 403);
  CHECK(call(url, "", "GET", ev.base + "/schedule").status == 401);
  auto by_organizer =
      call(url, ev.organizer_token, "POST", bookings, booking_body(b2.id, c2.id, 2));
  REQUIRE(by_organizer.status == 201);
  CHECK(json_text(by_organizer, "source") == "organizer");
  auto schedule = call(url, ev.organizer_token, "GET", ev.base + "/schedule");
  CHECK(schedule.json["total"].GetInt() == 2);
  CHECK(call(url, ev.organizer_token, "GET", ev.base + "/meetings/m_nope").status == 404);

  // policies.self_booking false: participants get 403, the organizer still books.
  auto closed = create_event(url, event_json(false));
  auto cb = add_participant(url, closed, buyer_json("B-1", R"(["en"])"));
  auto cc = add_participant(url, closed, company_json("C-1", R"(["en"])", "hall"));
  auto refused =
      call(url, cb.token, "POST", closed.base + "/bookings", booking_body(cb.id, cc.id, 0));
  CHECK(refused.status == 403);
  CHECK(error_code(refused) == "self_booking_disabled");
  CHECK(call(url, closed.organizer_token, "POST", closed.base + "/bookings",
             booking_body(cb.id, cc.id, 0))
            .status == 201);
}

TEST_CASE("the booking race: 64 concurrent clients, every invariant holds afterwards") {
  SangdamStack stack({"gateway"});  // two worker threads (default.json): requests overlap
  auto url = stack.gateway_url();
  constexpr int kMaxPerDay = 4;
  auto ev = create_event(url, event_json(true, kMaxPerDay));
  World world;
  world.max_per_day = kMaxPerDay;
  world.venue_tables = {{"hall", {"T1", "T2"}}, {"tower", {"K1"}}};
  world.travel = {{{"hall", "tower"}, 40}, {{"tower", "hall"}, 40}};
  world.interpreters = {{"vi-ko", 1}};
  std::vector<Party> buyers, companies;
  const std::vector<std::string> buyer_languages{R"(["vi"])", R"(["en"])", R"(["vi","en"])"};
  for (int i = 0; i < 8; ++i) {
    std::string unavailable = i == 0 ? R"(,"unavailable_slots":[1,7])" : "";
    buyers.push_back(add_participant(
        url, ev, buyer_json("B-" + std::to_string(i), buyer_languages[i % 3], unavailable)));
    std::set<std::string> langs = i % 3 == 0   ? std::set<std::string>{"vi"}
                                  : i % 3 == 1 ? std::set<std::string>{"en"}
                                               : std::set<std::string>{"vi", "en"};
    world.buyers[buyers.back().id] = {i == 0 ? std::set<int>{1, 7} : std::set<int>{}, langs};
  }
  struct CompanySpec {
    std::string venue, extra, languages;
    World::Company facts;
  };
  std::vector<CompanySpec> specs{
      {"hall", "", R"(["ko"])", {"hall", "", 1, {}, {"ko"}}},
      {"hall", "", R"(["en","ko"])", {"hall", "", 1, {}, {"en", "ko"}}},
      {"hall", R"(,"table":"Booth-A","seats":2)", R"(["en"])", {"hall", "Booth-A", 2, {}, {"en"}}},
      {"tower", "", R"(["ko"])", {"tower", "", 1, {}, {"ko"}}},
      {"tower", R"(,"unavailable_slots":[3])", R"(["en"])", {"tower", "", 1, {3}, {"en"}}},
      {"hall", "", R"(["vi","ko"])", {"hall", "", 1, {}, {"vi", "ko"}}},
  };
  for (std::size_t i = 0; i < specs.size(); ++i) {
    companies.push_back(add_participant(url, ev,
                                        company_json("C-" + std::to_string(i), specs[i].languages,
                                                     specs[i].venue, specs[i].extra)));
    world.companies[companies.back().id] = specs[i].facts;
  }

  // 64 clients, each a participant's own connection, booking random overlapping
  // pairs and slots; some retry with the same key, some cancel what they got.
  constexpr int kClients = 64;
  constexpr int kAttemptsPerClient = 12;
  std::mutex mutex;
  std::set<std::string> created;  // ids answered 201
  std::set<std::string> cancelled_ids;
  std::map<std::string, int> conflicts;
  std::atomic<int> unexpected{0};
  std::string first_unexpected;
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      std::mt19937 rng(static_cast<unsigned>(c) * 7919u + 17u);
      bool as_buyer = c % 2 == 0;
      const Party& me = as_buyer ? buyers[static_cast<std::size_t>(c / 2) % buyers.size()]
                                 : companies[static_cast<std::size_t>(c / 2) % companies.size()];
      sangdam::HttpCall http(url, me.token, std::chrono::seconds(30));
      for (int a = 0; a < kAttemptsPerClient; ++a) {
        const Party& buyer = as_buyer ? me : buyers[rng() % buyers.size()];
        const Party& company = as_buyer ? companies[rng() % companies.size()] : me;
        int slot = static_cast<int>(rng() % 12);
        std::string key = "k-" + std::to_string(c) + "-" + std::to_string(a);
        auto body = booking_body(buyer.id, company.id, slot, key);
        auto answer = http.send("POST", "/v1/events/" + ev.id + "/bookings", body);
        if (a % 4 == 0) answer = http.send("POST", "/v1/events/" + ev.id + "/bookings", body);
        rapidjson::Document doc;
        doc.Parse(answer.body.c_str(), answer.body.size());
        std::lock_guard lock(mutex);
        if (answer.status == 201) {
          std::string id = doc["id"].GetString();
          created.insert(id);
          if (rng() % 5 == 0) {
            auto gone = http.send("DELETE", "/v1/events/" + ev.id + "/meetings/" + id);
            if (gone.status == 200) {
              cancelled_ids.insert(id);
            } else {
              ++unexpected;
              first_unexpected = gone.body;
            }
          }
        } else if (answer.status == 409) {
          ++conflicts[doc["error"]["code"].GetString()];
        } else {
          ++unexpected;
          first_unexpected = std::to_string(answer.status) + " " + answer.body;
        }
      }
    });
  }
  for (auto& t : clients) t.join();
  INFO("first unexpected answer: " << first_unexpected);
  CHECK(unexpected == 0);
  CHECK(created.size() > 10);
  CHECK(conflicts.size() >= 4);  // the race really collided on several resources

  // Read everything back from Redis and check the invariants independently.
  auto stored = read_stored_meetings(stack.redis().port(), ev.id);
  auto problems = violations(world, stored);
  INFO(problems.size() << " violations, first: " << (problems.empty() ? "" : problems[0]));
  CHECK(problems.empty());
  // Every stored meeting was answered 201 to someone (a 409 left nothing behind) and every 201
  // is stored, scheduled unless it was cancelled.
  std::set<std::string> stored_ids;
  for (const auto& m : stored) {
    stored_ids.insert(m.id);
    CHECK((m.status == "cancelled") == (cancelled_ids.count(m.id) == 1));
  }
  CHECK(stored_ids == created);
  auto schedule = call(url, ev.organizer_token, "GET", ev.base + "/schedule?limit=10000");
  REQUIRE(schedule.status == 200);
  std::set<std::string> scheduled;
  for (const auto& m : schedule.json["items"].GetArray()) scheduled.insert(m["id"].GetString());
  std::set<std::string> expected;
  for (const auto& id : created) {
    if (!cancelled_ids.count(id)) expected.insert(id);
  }
  CHECK(scheduled == expected);
  // The bus got one placed event per meeting and one cancelled per cancellation.
  auto types = bus_types(stack.redis().port(), ev.id);
  CHECK(static_cast<std::size_t>(std::count(types.begin(), types.end(), "meeting.placed")) ==
        created.size());
  CHECK(static_cast<std::size_t>(std::count(types.begin(), types.end(), "meeting.cancelled")) ==
        cancelled_ids.size());

  // Cancelling everything must leave no occupancy at all: nothing leaked from any 409.
  for (const auto& id : expected) {
    REQUIRE(call(url, ev.organizer_token, "DELETE", ev.base + "/meetings/" + id).status == 200);
  }
  sangdam::redis::Command occupancy{"HLEN", "sangdam:{ev:" + ev.id + "}:occupancy"};
  CHECK(redis_call(stack.redis().port(), std::move(occupancy)).integer == 0);
}
