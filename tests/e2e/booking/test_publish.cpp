// The meeting store's publish() (what the scheduler calls with an optimiser result) against a
// real redis-server: bookings are kept, schedule meetings are placed, moved with version+1 and
// the same id, or cancelled; an infeasible result changes nothing; the bus gets every change.
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>

#include "matching/error.hpp"
#include "matching/event/event.hpp"
#include "services/common/meeting_store.hpp"
#include "services/common/participant_store.hpp"
#include "tests/e2e/booking/booking_fixture.hpp"
#include "tests/support/async.hpp"
#include "tests/support/redis_server.hpp"

using namespace sangdam;
using namespace sangdam::testing;

namespace {

struct Store {
  RedisServer server;
  boost::asio::io_context io;
  std::shared_ptr<redis::Client> client;
  bus::Topology topology;
  EventInfo info;

  Store() {
    redis::Options options;
    options.port = server.port();
    client = redis::connect(io.get_executor(), options);
    info.id = "ev_publish";
    info.event = event::parse_event(booking::event_json());
    info.event.id = info.id;
  }
  ~Store() { client->close(); }

  std::string add(Role role, const std::string& external_id, const std::string& profile) {
    participants::StoreRequest r;
    r.event_id = info.id;
    r.role = role;
    r.external_id = external_id;
    r.participant_id = participants::participant_id(info.id, role, external_id);
    r.full_json = profile;
    r.public_json = profile;
    run_sync(io, participants::store(*client, topology, r));
    return r.participant_id;
  }
  template <class T>
  T run(boost::asio::awaitable<T> work) {
    return run_sync(io, std::move(work));
  }
};

meetings::Meeting placement(const std::string& buyer, const std::string& company, int slot,
                            const std::string& interpreter = "") {
  meetings::Meeting m;
  m.buyer_id = buyer;
  m.company_id = company;
  m.slot = slot;
  m.interpreter = interpreter;
  return m;
}

const meetings::Meeting* find_pair(const std::vector<meetings::Meeting>& list,
                                   const std::string& buyer, const std::string& company) {
  for (const auto& m : list) {
    if (m.buyer_id == buyer && m.company_id == company) return &m;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("publish replaces the schedule meetings atomically and keeps the bookings") {
  Store s;
  auto b1 = s.add(Role::kBuyer, "B-1", booking::buyer_json("B-1", R"(["en"])"));
  auto b2 = s.add(Role::kBuyer, "B-2", booking::buyer_json("B-2", R"(["vi"])"));
  auto b3 = s.add(Role::kBuyer, "B-3", booking::buyer_json("B-3", R"(["en"])"));
  auto c1 = s.add(Role::kCompany, "C-1", booking::company_json("C-1", R"(["en"])", "hall"));
  auto c2 = s.add(Role::kCompany, "C-2", booking::company_json("C-2", R"(["ko"])", "hall"));
  auto c3 = s.add(Role::kCompany, "C-3", booking::company_json("C-3", R"(["en"])", "tower"));

  meetings::BookingRequest booked{b1, c1, 0, "", "booking", ""};
  auto booking = s.run(meetings::book(*s.client, s.topology, s.info, booked));
  CHECK(booking.table == "T1");

  // First run: b2-c2 needs the interpreter; b1-c1 is already booked (skipped, kept).
  auto first = s.run(meetings::publish(
      *s.client, s.topology, s.info,
      {placement(b2, c2, 0, "vi-ko"), placement(b3, c3, 2), placement(b1, c1, 5)}, "run-1"));
  CHECK(first.placed == 2);
  CHECK(first.moved == 0);
  CHECK(first.cancelled == 0);
  CHECK(first.kept == 1);
  CHECK(first.skipped == 1);
  CHECK(first.schedule_version == "1");
  REQUIRE(first.changes.size() == 2);
  auto timetable = s.run(meetings::list(*s.client, s.info.id));
  REQUIRE(timetable.size() == 3);
  const auto* b2c2 = find_pair(timetable, b2, c2);
  REQUIRE(b2c2 != nullptr);
  CHECK(b2c2->table == "T2");  // T1 is the booking's
  CHECK(b2c2->source == "schedule");
  std::string b2c2_id = b2c2->id;
  std::string b3c3_id = find_pair(timetable, b3, c3)->id;

  // Second run: b2-c2 moves (same id, version 2), b3-c3 is dropped, b3-c1 is new.
  auto second =
      s.run(meetings::publish(*s.client, s.topology, s.info,
                              {placement(b2, c2, 3, "vi-ko"), placement(b3, c1, 1)}, "run-2"));
  CHECK(second.placed == 1);
  CHECK(second.moved == 1);
  CHECK(second.cancelled == 1);
  CHECK(second.kept == 1);
  CHECK(second.schedule_version == "2");
  auto moved = s.run(meetings::get(*s.client, s.info.id, b2c2_id));
  CHECK(moved.slot == 3);
  CHECK(moved.version == 2);
  CHECK(moved.status == "scheduled");
  auto dropped = s.run(meetings::get(*s.client, s.info.id, b3c3_id));
  CHECK(dropped.status == "cancelled");
  CHECK(dropped.version == 2);
  auto agenda = s.run(meetings::agenda(*s.client, s.info.id, b2));
  REQUIRE(agenda.size() == 1);  // the move replaced the agenda entry, it did not add one
  CHECK(agenda[0].slot == 3);

  // The same result again changes nothing (no moves, no events beyond schedule.published).
  auto same =
      s.run(meetings::publish(*s.client, s.topology, s.info,
                              {placement(b2, c2, 3, "vi-ko"), placement(b3, c1, 1)}, "run-3"));
  CHECK(same.placed + same.moved + same.cancelled == 0);
  CHECK(same.changes.empty());

  // Infeasible: two meetings for b3 in slot 1. Nothing changes, not even the version.
  auto before = s.run(meetings::list(*s.client, s.info.id, true));
  try {
    s.run(meetings::publish(*s.client, s.topology, s.info,
                            {placement(b3, c1, 1), placement(b3, c3, 1)}, "run-4"));
    FAIL("an infeasible schedule was published");
  } catch (const sangdam::Error& e) {
    CHECK(e.reason() == "schedule_infeasible");
  }
  auto after = s.run(meetings::list(*s.client, s.info.id, true));
  REQUIRE(after.size() == before.size());
  for (std::size_t i = 0; i < after.size(); ++i) CHECK(to_json(after[i]) == to_json(before[i]));

  // Bookings still see the published occupancy: b2 is busy in slot 3, c1 in slot 1.
  meetings::BookingRequest clash{b2, c1, 3, "", "booking", ""};
  try {
    s.run(meetings::book(*s.client, s.topology, s.info, clash));
    FAIL("booked over a published meeting");
  } catch (const sangdam::Error& e) {
    CHECK(e.reason() == "buyer_busy");
  }

  // The bus: placed x3 (booking + 2), moved, cancelled, placed, and one schedule.published
  // per successful run.
  redis::Command range{"XRANGE", "sangdam:meetings:0", "-", "+"};
  auto entries = s.run(s.client->call(std::move(range)));
  std::map<std::string, int> types;
  for (const auto& entry : entries.elements) {
    const auto& fields = entry.elements.at(1).elements;
    for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
      if (fields[i].str == "type") ++types[fields[i + 1].str];
    }
  }
  CHECK(types["meeting.placed"] == 4);
  CHECK(types["meeting.moved"] == 1);
  CHECK(types["meeting.cancelled"] == 1);
  CHECK(types["schedule.published"] == 3);
}
