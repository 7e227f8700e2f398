// The stream bus against a real redis-server: publish/consume, reclaiming a dead consumer's
// work with an idempotent effect, retries and dead letters, poison, trimming.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <catch2/catch.hpp>

#include <map>

#include "matching/error.hpp"
#include "services/common/bus.hpp"
#include "tests/support/async.hpp"
#include "tests/support/redis_server.hpp"

using namespace std::chrono_literals;
using sangdam::bus::Delivery;
using sangdam::bus::Envelope;
using sangdam::redis::Command;
using sangdam::redis::Reply;
using sangdam::testing::run_sync;
using sangdam::testing::run_until;

namespace {

// A server, an io_context and two connections (one for blocking reads), per test.
struct BusFixture {
  BusFixture() {
    sangdam::redis::Options options;
    options.port = server.port();
    options.reconnect_min = 20ms;
    options.reconnect_max = 200ms;
    client = sangdam::redis::connect(io.get_executor(), options);
    blocking = sangdam::redis::connect(io.get_executor(), options);
  }

  Reply call(Command command) { return run_sync(io, client->call(std::move(command))); }

  std::string publish(std::string_view topic, Envelope envelope) {
    return run_sync(io, sangdam::bus::publish(*client, topology, topic, std::move(envelope)));
  }

  // Fields of a stream entry as a map.
  static std::map<std::string, std::string> fields_of(const Reply& entry) {
    std::map<std::string, std::string> fields;
    const auto& flat = entry.elements.at(1).elements;
    for (size_t i = 0; i + 1 < flat.size(); i += 2) fields[flat[i].str] = flat[i + 1].str;
    return fields;
  }

  long long pending(const std::string& stream, const std::string& group) {
    return call({"XPENDING", stream, group}).elements.at(0).as_integer();
  }

  sangdam::testing::RedisServer server;
  boost::asio::io_context io;  // declared before the clients: outlives them
  std::shared_ptr<sangdam::redis::Client> client;
  std::shared_ptr<sangdam::redis::Client> blocking;
  sangdam::bus::Topology topology;
};

// A consumer's run() on the fixture's io_context until stopped.
class Running {
 public:
  Running(boost::asio::io_context& io, sangdam::bus::Consumer& consumer,
          sangdam::bus::Handler handler)
      : io_(io), consumer_(consumer), state_(std::make_shared<State>()) {
    boost::asio::co_spawn(io, consumer.run(std::move(handler)),
                          [state = state_](std::exception_ptr e) {
                            state->error = e;
                            state->done = true;
                          });
  }
  ~Running() {  // no REQUIRE here: it may run while a failed test unwinds
    consumer_.stop();
    run_until(
        io_, [this] { return state_->done; }, 5s);
  }
  void stop() {
    consumer_.stop();
    REQUIRE(run_until(
        io_, [this] { return state_->done; }, 5s));
    if (auto e = std::exchange(state_->error, nullptr)) std::rethrow_exception(e);
  }

 private:
  struct State {
    bool done = false;
    std::exception_ptr error;
  };
  boost::asio::io_context& io_;
  sangdam::bus::Consumer& consumer_;
  std::shared_ptr<State> state_;
};

Envelope meeting_placed(std::string event_id, std::string key) {
  return Envelope{.type = "meeting.placed",
                  .schema = 2,
                  .event_id = std::move(event_id),
                  .idempotency_key = std::move(key),
                  .payload = R"({"buyer":"b-7","company":"c-12","table":"A3"})"};
}

sangdam::bus::ConsumerOptions consumer_options(std::string consumer) {
  sangdam::bus::ConsumerOptions options;
  options.topic = "meetings";
  options.group = "ledger";
  options.consumer = std::move(consumer);
  options.block = 100ms;
  return options;
}

}  // namespace

TEST_CASE("stream names and the publish command", "[bus]") {
  sangdam::bus::Topology topology{.prefix = "sangdam", .partitions = 4, .max_len = 5000};
  auto stream = sangdam::bus::stream_for(topology, "meetings", "seongnam-2023");
  CHECK(stream.starts_with("sangdam:meetings:"));
  CHECK(stream == sangdam::bus::stream_for(topology, "meetings", "seongnam-2023"));  // stable
  // FNV-1a 64 of "" is its offset basis 14695981039346656037, which is 1 mod 4.
  CHECK(sangdam::bus::stream_for(topology, "meetings", "") == "sangdam:meetings:1");
  CHECK(sangdam::bus::streams_of(topology, "meetings").size() == 4);
  CHECK(sangdam::bus::dead_letter_stream(topology, "meetings") == "sangdam:dead:meetings");

  auto command = sangdam::bus::publish_command(topology, "meetings", meeting_placed("ev", "k1"));
  REQUIRE(command.size() == 18);
  CHECK(Command(command.begin(), command.begin() + 6) ==
        Command{"XADD", stream_for(topology, "meetings", "ev"), "MAXLEN", "~", "5000", "*"});
  CHECK(command[6] == "type");
  CHECK(command[9] == "2");
  CHECK(command[13] == "k1");
  CHECK(command[15].size() == 24);  // time filled in: 2023-09-13T01:30:00.000Z
  CHECK(command[15].back() == 'Z');

  auto no_key = meeting_placed("ev", "");
  CHECK_THROWS_AS(sangdam::bus::publish_command(topology, "meetings", no_key), sangdam::Error);
  CHECK_THROWS_AS(sangdam::bus::stream_for({.partitions = 0}, "meetings", "ev"), sangdam::Error);
  CHECK_THROWS_AS(sangdam::bus::stream_for(topology, "", "ev"), sangdam::Error);
}

TEST_CASE("envelopes are read back from entry fields, intake names included", "[bus]") {
  Reply fields{.type = Reply::Type::kArray};
  for (const char* word : {"type", "profile.submitted", "event", "ev-1", "idempotency_key",
                           "reg-991", "payload", "{}"}) {
    fields.elements.push_back(Reply{.type = Reply::Type::kString, .str = word});
  }
  auto envelope = sangdam::bus::envelope_from_fields(fields);
  CHECK(envelope.type == "profile.submitted");
  CHECK(envelope.schema == 1);
  CHECK(envelope.idempotency_key == "reg-991");
  fields.elements.push_back(Reply{.type = Reply::Type::kString, .str = "schema"});
  fields.elements.push_back(Reply{.type = Reply::Type::kString, .str = "two"});
  CHECK_THROWS_AS(sangdam::bus::envelope_from_fields(fields), sangdam::Error);
}

TEST_CASE("apply_once encodes keys for the script and rejects what it cannot route", "[bus]") {
  auto encoded = sangdam::bus::encode_effect(
      "{ev:1}:done:m-1",
      {{"HINCRBY", "{ev:1}:report", "consultations", "1"}, {"DEL", "{ev:1}:a", "{ev:1}:report"}},
      std::chrono::seconds(60));
  CHECK(encoded.keys == std::vector<std::string>{"{ev:1}:done:m-1", "{ev:1}:report", "{ev:1}:a"});
  CHECK(encoded.args == std::vector<std::string>{"60", "2", "4", "0100", "HINCRBY", "2",
                                                 "consultations", "1", "3", "011", "DEL", "3",
                                                 "2"});
  CHECK_THROWS_AS(sangdam::bus::encode_effect("{ev:1}:done", {{"SET", "{ev:2}:x", "1"}}, 60s),
                  sangdam::Error);
  CHECK_THROWS_AS(sangdam::bus::encode_effect("done", {{"FLUSHALL"}}, 60s), sangdam::Error);
  CHECK_THROWS_AS(sangdam::bus::encode_effect("done", {{}}, 60s), sangdam::Error);
}

TEST_CASE("apply_once runs an effect once and marks it done with a TTL", "[bus]") {
  BusFixture bus;
  std::vector<Command> effect = {{"HINCRBY", "{ev:1}:report", "mou_usd", "1000000"},
                                 {"SADD", "{ev:1}:mous", "mou-17"}};
  CHECK(run_sync(bus.io, sangdam::bus::apply_once(*bus.client, "{ev:1}:done:d-1", effect, 3600s)));
  CHECK_FALSE(run_sync(bus.io, sangdam::bus::apply_once(*bus.client, "{ev:1}:done:d-1", effect)));
  CHECK(bus.call({"HGET", "{ev:1}:report", "mou_usd"}).as_integer() == 1000000);
  CHECK(bus.call({"SCARD", "{ev:1}:mous"}).as_integer() == 1);
  auto ttl = bus.call({"TTL", "{ev:1}:done:d-1"}).as_integer();
  CHECK(ttl > 3500);
  CHECK(ttl <= 3600);
}

TEST_CASE("published messages are consumed, acknowledged, across partitions", "[bus]") {
  BusFixture bus;
  bus.topology.partitions = 3;
  std::vector<std::string> events = {"seongnam-2023", "daegu-2024", "osong-2024", "wonju-2024"};
  std::map<std::string, std::string> published;  // idempotency key -> entry id
  for (size_t i = 0; i < events.size(); ++i) {
    auto key = "m-" + std::to_string(i);
    published[key] = bus.publish("meetings", meeting_placed(events[i], key));
  }

  std::vector<Delivery> seen;
  sangdam::bus::Consumer consumer(bus.blocking, bus.topology, consumer_options("ledger-1"));
  Running running(bus.io, consumer, [&](const Delivery& d) -> boost::asio::awaitable<void> {
    seen.push_back(d);
    co_return;
  });
  REQUIRE(run_until(bus.io, [&] { return seen.size() == events.size(); }));
  // One more, published while the consumer blocks.
  published["m-late"] = bus.publish("meetings", meeting_placed("seongnam-2023", "m-late"));
  REQUIRE(run_until(bus.io, [&] { return seen.size() == events.size() + 1; }));
  running.stop();

  for (const auto& d : seen) {
    CHECK(published.at(d.envelope.idempotency_key) == d.id);
    CHECK(d.stream == sangdam::bus::stream_for(bus.topology, "meetings", d.envelope.event_id));
    CHECK(d.envelope.type == "meeting.placed");
    CHECK(d.envelope.schema == 2);
    CHECK(d.envelope.payload == R"({"buyer":"b-7","company":"c-12","table":"A3"})");
    CHECK(d.envelope.time.ends_with("Z"));
    CHECK(d.deliveries == 1);
  }
  for (const auto& stream : consumer.streams()) CHECK(bus.pending(stream, "ledger") == 0);
}

TEST_CASE("a dead consumer's message is reclaimed and its effect applied once", "[bus]") {
  BusFixture bus;
  auto stream = sangdam::bus::stream_for(bus.topology, "meetings", "ev-1");
  auto id = bus.publish("meetings", meeting_placed("ev-1", "held-31"));
  auto effect_of = [&](const std::string& key) {
    return sangdam::bus::apply_once(*bus.client, "{ev:ev-1}:done:" + key,
                                    {{"HINCRBY", "{ev:ev-1}:report", "consultations", "1"}});
  };

  // Consumer "a" takes the message, stores the effect, and dies before XACK.
  bus.call({"XGROUP", "CREATE", stream, "ledger", "0", "MKSTREAM"});
  auto taken = bus.call({"XREADGROUP", "GROUP", "ledger", "a", "STREAMS", stream, ">"});
  REQUIRE(taken.elements.at(0).elements.at(1).elements.at(0).elements.at(0).as_string() == id);
  CHECK(run_sync(bus.io, effect_of("held-31")));

  auto options = consumer_options("b");
  options.claim_idle = 200ms;
  std::vector<std::pair<Delivery, bool>> handled;  // delivery, effect applied by this handler
  sangdam::bus::Consumer b(bus.blocking, bus.topology, options);
  Running running(bus.io, b, [&](const Delivery& d) -> boost::asio::awaitable<void> {
    bool applied = co_await effect_of(d.envelope.idempotency_key);
    handled.emplace_back(d, applied);
  });
  REQUIRE(run_until(
      bus.io, [&] { return !handled.empty(); }, 5s));
  running.stop();

  REQUIRE(handled.size() == 1);
  CHECK(handled[0].first.id == id);
  CHECK(handled[0].first.deliveries == 2);
  CHECK_FALSE(handled[0].second);  // already applied by "a"
  CHECK(bus.call({"HGET", "{ev:ev-1}:report", "consultations"}).as_integer() == 1);
  CHECK(bus.pending(stream, "ledger") == 0);
}

TEST_CASE("a message that always fails is dead-lettered after max_deliveries", "[bus]") {
  BusFixture bus;
  auto id = bus.publish("meetings", meeting_placed("ev-2", "m-9"));
  auto options = consumer_options("ledger-1");
  options.max_deliveries = 3;
  options.retry_delay = 20ms;
  auto dead = sangdam::bus::dead_letter_stream(bus.topology, "meetings");

  std::vector<long long> attempts;
  sangdam::bus::Consumer consumer(bus.blocking, bus.topology, options);
  Running running(bus.io, consumer, [&](const Delivery& d) -> boost::asio::awaitable<void> {
    attempts.push_back(d.deliveries);
    throw std::runtime_error("report store offline");
    co_return;
  });
  REQUIRE(run_until(
      bus.io,
      [&] {
        return bus.call({"XLEN", dead}).as_integer() == 1;
      },
      5s));
  running.stop();

  CHECK(attempts == std::vector<long long>{1, 2, 3});
  auto entries = bus.call({"XRANGE", dead, "-", "+"});
  auto fields = BusFixture::fields_of(entries.elements.at(0));
  CHECK(fields["stream"] == sangdam::bus::stream_for(bus.topology, "meetings", "ev-2"));
  CHECK(fields["id"] == id);
  CHECK(fields["reason"] == "handler_failed");
  CHECK(fields["message"] == "report store offline");
  CHECK(fields["deliveries"] == "3");
  CHECK(fields["type"] == "meeting.placed");
  CHECK(fields["key"] == "m-9");
  CHECK(bus.pending(consumer.streams().at(0), "ledger") == 0);
}

TEST_CASE("poison and malformed messages are dead-lettered at once", "[bus]") {
  BusFixture bus;
  auto stream = sangdam::bus::stream_for(bus.topology, "meetings", "ev-3");
  bus.publish("meetings", meeting_placed("ev-3", "bad-country"));
  bus.call({"XADD", stream, "*", "payload", "{}"});  // no type
  auto dead = sangdam::bus::dead_letter_stream(bus.topology, "meetings");

  int calls = 0;
  sangdam::bus::Consumer consumer(bus.blocking, bus.topology, consumer_options("ledger-1"));
  Running running(bus.io, consumer, [&](const Delivery&) -> boost::asio::awaitable<void> {
    ++calls;
    throw sangdam::Error(sangdam::ErrorCode::kInvalidArgument, "unknown_country",
                         "country XX is not ISO 3166-1", "country");
    co_return;
  });
  REQUIRE(run_until(
      bus.io,
      [&] {
        return bus.call({"XLEN", dead}).as_integer() == 2;
      },
      5s));
  running.stop();

  CHECK(calls == 1);
  auto entries = bus.call({"XRANGE", dead, "-", "+"});
  auto poison = BusFixture::fields_of(entries.elements.at(0));
  CHECK(poison["reason"] == "unknown_country");
  CHECK(poison["deliveries"] == "1");
  auto malformed = BusFixture::fields_of(entries.elements.at(1));
  CHECK(malformed["reason"] == "malformed_envelope");
  CHECK(malformed["payload"].empty());
  CHECK(bus.pending(stream, "ledger") == 0);
}

TEST_CASE("MAXLEN ~ keeps a stream near its bound", "[bus]") {
  BusFixture bus;
  bus.topology.max_len = 100;
  constexpr int kMessages = 3000;
  std::vector<Command> batch;
  for (int i = 0; i < kMessages; ++i) {
    batch.push_back(sangdam::bus::publish_command(bus.topology, "profiles",
                                                  meeting_placed("ev-4", std::to_string(i))));
  }
  auto replies = run_sync(bus.io, bus.client->pipeline(std::move(batch)));
  for (const auto& reply : replies) REQUIRE_FALSE(reply.is_error());
  auto length =
      bus.call({"XLEN", sangdam::bus::stream_for(bus.topology, "profiles", "ev-4")}).as_integer();
  // "~" trims whole radix-tree nodes (stream-node-max-entries, 100 by default): never below
  // the bound, less than one node above it.
  CHECK(length >= 100);
  CHECK(length < 200);
}

TEST_CASE("a consumer waits out a Redis restart and goes on", "[bus]") {
  BusFixture bus;
  std::vector<std::string> keys;
  sangdam::bus::Consumer consumer(bus.blocking, bus.topology, consumer_options("ledger-1"));
  Running running(bus.io, consumer, [&](const Delivery& d) -> boost::asio::awaitable<void> {
    keys.push_back(d.envelope.idempotency_key);
    co_return;
  });
  bus.publish("meetings", meeting_placed("ev-5", "before"));
  REQUIRE(run_until(bus.io, [&] { return keys.size() == 1; }));

  bus.server.kill();
  sangdam::testing::run_for(bus.io, 300ms);
  bus.server.restart();  // empty: no persistence, so the group must be created again
  std::string id;
  REQUIRE(run_until(
      bus.io,
      [&] {
        try {
          id = bus.publish("meetings", meeting_placed("ev-5", "after"));
          return true;
        } catch (const sangdam::Error&) {
          return false;
        }
      },
      5s));
  REQUIRE(run_until(
      bus.io, [&] { return keys.size() == 2; }, 5s));
  CHECK(keys[1] == "after");
}

TEST_CASE("a restarted consumer first takes over its own pending entries", "[bus]") {
  BusFixture bus;
  auto stream = sangdam::bus::stream_for(bus.topology, "meetings", "ev-6");
  auto id = bus.publish("meetings", meeting_placed("ev-6", "checkin-4"));
  // The previous life of "ledger-1" read the entry and crashed before acknowledging.
  bus.call({"XGROUP", "CREATE", stream, "ledger", "0", "MKSTREAM"});
  bus.call({"XREADGROUP", "GROUP", "ledger", "ledger-1", "STREAMS", stream, ">"});

  auto options = consumer_options("ledger-1");
  options.claim_idle = 60s;  // so only the own-PEL read can deliver it within the test
  std::vector<Delivery> seen;
  sangdam::bus::Consumer consumer(bus.blocking, bus.topology, options);
  Running running(bus.io, consumer, [&](const Delivery& d) -> boost::asio::awaitable<void> {
    seen.push_back(d);
    co_return;
  });
  REQUIRE(run_until(
      bus.io, [&] { return !seen.empty(); }, 2s));
  running.stop();
  CHECK(seen.size() == 1);
  CHECK(seen[0].id == id);
  CHECK(seen[0].deliveries == 2);
  CHECK(bus.pending(stream, "ledger") == 0);
}
