// The Redis client against a real redis-server: commands, pipelining, timeouts, reconnect,
// scripts, close.
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <catch2/catch.hpp>

#include "matching/error.hpp"
#include "services/common/redis.hpp"
#include "tests/support/async.hpp"
#include "tests/support/redis_server.hpp"

using namespace std::chrono_literals;
using sangdam::ErrorCode;
using sangdam::redis::Command;
using sangdam::redis::Reply;
using sangdam::testing::run_sync;

namespace {

sangdam::redis::Options options_for(const sangdam::testing::RedisServer& server) {
  sangdam::redis::Options options;
  options.port = server.port();
  options.connect_timeout = 500ms;
  options.command_timeout = 1000ms;
  options.reconnect_min = 20ms;
  options.reconnect_max = 200ms;
  return options;
}

Reply call(boost::asio::io_context& io, sangdam::redis::Client& client, Command command) {
  return run_sync(io, client.call(std::move(command)));
}

// The error a call threw, so tests can check code and reason.
sangdam::Error call_error(boost::asio::io_context& io, sangdam::redis::Client& client,
                          Command command,
                          std::optional<std::chrono::milliseconds> timeout = std::nullopt) {
  try {
    if (timeout) {
      run_sync(io, client.call(std::move(command), *timeout));
    } else {
      run_sync(io, client.call(std::move(command)));
    }
  } catch (const sangdam::Error& e) {
    return e;
  }
  FAIL("the call did not throw");
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("commands return owned replies of every type", "[redis]") {
  sangdam::testing::RedisServer server;
  boost::asio::io_context io;
  auto client = sangdam::redis::connect(io.get_executor(), options_for(server));

  // Issued before the connection is up: waits for it.
  CHECK(call(io, *client, {"SET", "buyer:1", "Hanoi Medical"}).as_string() == "OK");
  CHECK(client->connected());
  CHECK(call(io, *client, {"GET", "buyer:1"}).as_string() == "Hanoi Medical");
  CHECK(call(io, *client, {"GET", "missing"}).is_nil());
  CHECK(call(io, *client, {"INCRBY", "consultations", "229"}).as_integer() == 229);
  CHECK(call(io, *client, {"GET", "consultations"}).as_integer() == 229);  // numeric string

  std::string binary("a\0b\r\nc", 6);
  call(io, *client, {"SET", "blob", binary});
  CHECK(call(io, *client, {"GET", "blob"}).as_string() == binary);

  call(io, *client, {"RPUSH", "tables", "A1", "A2", "B1"});
  auto list = call(io, *client, {"LRANGE", "tables", "0", "-1"});
  REQUIRE(list.type == Reply::Type::kArray);
  REQUIRE(list.elements.size() == 3);
  CHECK(list.elements[2].as_string() == "B1");

  auto wrong = call(io, *client, {"INCR", "tables"});
  CHECK(wrong.is_error());
  CHECK(wrong.str.starts_with("WRONGTYPE"));
  CHECK_THROWS_AS(wrong.as_string(), sangdam::Error);
  CHECK_THROWS_AS(list.as_integer(), sangdam::Error);
  CHECK_THROWS_AS(call(io, *client, {"GET", "buyer:1"}).as_integer(), sangdam::Error);

  auto empty = call_error(io, *client, {});
  CHECK(empty.code() == ErrorCode::kInvalidArgument);
}

TEST_CASE("bad options are rejected before connecting", "[redis]") {
  boost::asio::io_context io;
  sangdam::redis::Options options;
  options.port = 0;
  CHECK_THROWS_AS(sangdam::redis::connect(io.get_executor(), options), sangdam::Error);
  options.port = 6379;
  options.host = "";
  CHECK_THROWS_AS(sangdam::redis::connect(io.get_executor(), options), sangdam::Error);
}

TEST_CASE("a pipeline sends many commands together, replies in order", "[redis]") {
  sangdam::testing::RedisServer server;
  boost::asio::io_context io;
  auto client = sangdam::redis::connect(io.get_executor(), options_for(server));

  constexpr int kCommands = 2000;
  std::vector<Command> batch;
  for (int i = 0; i < kCommands; ++i) batch.push_back({"INCR", "counter"});
  batch.push_back({"HSET"});  // wrong arity: an error reply in its place, others unaffected
  batch.push_back({"GET", "counter"});
  auto replies = run_sync(io, client->pipeline(std::move(batch)));
  REQUIRE(replies.size() == kCommands + 2);
  for (int i = 0; i < kCommands; ++i) REQUIRE(replies[i].as_integer() == i + 1);
  CHECK(replies[kCommands].is_error());
  CHECK(replies[kCommands + 1].as_integer() == kCommands);
  CHECK(run_sync(io, client->pipeline({})).empty());
}

TEST_CASE("a command slower than its timeout fails with redis_timeout, then work goes on",
          "[redis]") {
  sangdam::testing::RedisServer server;
  boost::asio::io_context io;
  auto options = options_for(server);
  options.command_timeout = 200ms;
  auto client = sangdam::redis::connect(io.get_executor(), options);
  call(io, *client, {"PING"});

  auto started = std::chrono::steady_clock::now();
  auto slow = call_error(io, *client, {"DEBUG", "SLEEP", "0.6"});
  auto took = std::chrono::steady_clock::now() - started;
  CHECK(slow.code() == ErrorCode::kUnavailable);
  CHECK(slow.reason() == "redis_timeout");
  CHECK(took >= 200ms);
  CHECK(took < 550ms);

  // A blocking read with its own, shorter timeout.
  auto blocked = call_error(io, *client, {"BLPOP", "no-such-list", "0"}, 150ms);
  CHECK(blocked.reason() == "redis_timeout");

  // The connection was reset and comes back; the server is busy sleeping for a while still.
  Reply pong;
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      pong = call(io, *client, {"PING"});
      break;
    } catch (const sangdam::Error& e) {
      REQUIRE(e.code() == ErrorCode::kUnavailable);
    }
  }
  CHECK(pong.as_string() == "PONG");
}

TEST_CASE("the client reconnects after the server is killed and restarted", "[redis]") {
  sangdam::testing::RedisServer server;
  boost::asio::io_context io;
  auto client = sangdam::redis::connect(io.get_executor(), options_for(server));
  call(io, *client, {"SET", "k", "v"});

  server.kill();
  auto down = call_error(io, *client, {"GET", "k"});
  CHECK(down.code() == ErrorCode::kUnavailable);
  CHECK_FALSE(client->connected());

  server.restart();
  // Commands issued while reconnecting wait for the new connection (within the timeout).
  Reply reply;
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      reply = call(io, *client, {"SET", "k", "again"});
      break;
    } catch (const sangdam::Error& e) {
      REQUIRE(e.code() == ErrorCode::kUnavailable);
    }
  }
  CHECK(reply.as_string() == "OK");
  CHECK(client->connected());
  CHECK(call(io, *client, {"GET", "k"}).as_string() == "again");
}

TEST_CASE("no server: commands fail with kUnavailable within their timeout", "[redis]") {
  boost::asio::io_context io;
  sangdam::redis::Options options;
  {
    sangdam::testing::RedisServer server;  // only to learn a port that then has no server
    options = options_for(server);
  }
  options.command_timeout = 300ms;
  auto client = sangdam::redis::connect(io.get_executor(), options);
  auto started = std::chrono::steady_clock::now();
  auto error = call_error(io, *client, {"PING"});
  CHECK(error.code() == ErrorCode::kUnavailable);
  CHECK(error.reason() == "redis_timeout");
  CHECK(std::chrono::steady_clock::now() - started < 1s);
}

TEST_CASE("host names are resolved, AUTH is sent when a password is set", "[redis]") {
  sangdam::testing::RedisServer server({.password = "seongnam-2023"});
  boost::asio::io_context io;
  auto options = options_for(server);
  options.host = "localhost";
  options.password = "seongnam-2023";
  auto client = sangdam::redis::connect(io.get_executor(), options);
  CHECK(call(io, *client, {"PING"}).as_string() == "PONG");

  options.password = "wrong";
  options.command_timeout = 300ms;
  auto refused = sangdam::redis::connect(io.get_executor(), options);
  CHECK(call_error(io, *refused, {"PING"}).code() == ErrorCode::kUnavailable);
  CHECK_FALSE(refused->connected());
}

TEST_CASE("eval falls back from EVALSHA to EVAL after SCRIPT FLUSH", "[redis]") {
  sangdam::testing::RedisServer server;
  boost::asio::io_context io;
  auto client = sangdam::redis::connect(io.get_executor(), options_for(server));
  sangdam::redis::Script add("return redis.call('INCRBY', KEYS[1], ARGV[1])");
  CHECK(add.sha1().size() == 40);
  CHECK(sangdam::redis::Script("return 1").sha1() == "e0e1f9fabfc9d4800c877a703b823ac0578ff8db");

  CHECK(run_sync(io, client->eval(add, {"mou:value"}, {"1000000"})).as_integer() == 1000000);
  call(io, *client, {"SCRIPT", "FLUSH"});
  CHECK(call(io, *client, {"SCRIPT", "EXISTS", add.sha1()}).elements.at(0).as_integer() == 0);
  CHECK(run_sync(io, client->eval(add, {"mou:value"}, {"800000"})).as_integer() == 1800000);

  call(io, *client, {"SCRIPT", "FLUSH"});
  run_sync(io, client->load(add));
  CHECK(call(io, *client, {"SCRIPT", "EXISTS", add.sha1()}).elements.at(0).as_integer() == 1);
  auto broken = run_sync(io, client->eval(sangdam::redis::Script("return nope("), {}, {}));
  CHECK(broken.is_error());
}

TEST_CASE("close fails pending and later commands, dropping a client is safe", "[redis]") {
  sangdam::testing::RedisServer server;
  boost::asio::io_context io;
  auto client = sangdam::redis::connect(io.get_executor(), options_for(server));
  call(io, *client, {"PING"});

  // A blocked command in flight when close() comes.
  bool failed_unavailable = false;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        try {
          Command blocking{"BLPOP", "nothing", "0"};
          co_await client->call(std::move(blocking), 5s);
        } catch (const sangdam::Error& e) {
          failed_unavailable = e.code() == ErrorCode::kUnavailable;
        }
      },
      boost::asio::detached);
  sangdam::testing::run_for(io, 50ms);
  client->close();
  sangdam::testing::run_for(io, 50ms);
  CHECK(failed_unavailable);
  CHECK_FALSE(client->connected());
  CHECK(call_error(io, *client, {"PING"}).reason() == "redis_unavailable");

  // Dropped while connected and while reconnecting: no callback may reach a freed client.
  auto dropped = sangdam::redis::connect(io.get_executor(), options_for(server));
  call(io, *dropped, {"PING"});
  dropped.reset();
  auto reconnecting = sangdam::redis::connect(io.get_executor(), options_for(server));
  call(io, *reconnecting, {"PING"});
  server.kill();
  sangdam::testing::run_for(io, 100ms);
  reconnecting.reset();
  sangdam::testing::run_for(io, 300ms);
}
