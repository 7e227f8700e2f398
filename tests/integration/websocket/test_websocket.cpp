// WebSocket sessions over real loopback connections: delivery both ways, refusal before the
// upgrade, the bounded write queue that drops a client which stops reading, shutdown.
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <catch2/catch.hpp>

#include "services/common/http.hpp"
#include "tests/support/http_client.hpp"

namespace {

using namespace sangdam;
using http::Request;
using http::WebSocketSession;
using testing::RunningServer;
using testing::WebSocketClient;
namespace asio = boost::asio;

// What a test's handler saw, read by the test thread once handler_done is set.
struct Observed {
  std::atomic<int> accepted{0};      // send() returned true
  std::atomic<bool> refused{false};  // send() returned false once
  std::atomic<bool> dropped{false};  // the session said it dropped the client
  std::atomic<std::size_t> max_queued{0};
  std::atomic<std::size_t> queued_after_close{0};
  std::atomic<bool> late_send_accepted{false};
  std::atomic<bool> handler_done{false};
};

asio::awaitable<void> yield() {
  co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
}

// Sends `count` messages of `size` bytes, yielding between them the way a notification fan-out
// would, and stops at the first refusal.
http::WebSocketHandler producer(Observed& observed, int count, std::size_t size) {
  return [&observed, count, size](
             Request&, std::shared_ptr<WebSocketSession> session) -> asio::awaitable<void> {
    std::string message(size, 'm');
    for (int i = 0; i < count; ++i) {
      message.replace(0, std::to_string(i).size(), std::to_string(i));
      if (!session->send(message)) {
        observed.refused = true;
        break;
      }
      ++observed.accepted;
      co_await yield();
    }
    observed.dropped = session->dropped();
    co_await session->closed();
    observed.max_queued = session->max_queued();
    observed.queued_after_close = session->queued();
    observed.late_send_accepted = session->send("late");
    observed.handler_done = true;
  };
}

}  // namespace

TEST_CASE("messages flow both ways, the handler sees the request and its parameters") {
  http::Router router;
  router.add_websocket(
      "/v1/events/{e}/live",
      [](Request& r, std::shared_ptr<WebSocketSession> session) -> asio::awaitable<void> {
        std::weak_ptr<WebSocketSession> weak = session;
        session->on_message = [weak](std::string text) {
          if (auto s = weak.lock()) s->send("echo:" + text);
        };
        session->send("hello " + r.param("e"));
        co_await session->closed();
      });
  RunningServer running(std::move(router));
  WebSocketClient client(running.port(), "/v1/events/seongnam-2023/live");
  CHECK(client.receive() == "hello seongnam-2023");
  client.send("ping me");
  CHECK(client.receive() == "echo:ping me");
  CHECK(testing::eventually([&] {
    return running.gauge("sangdam_websocket_connections", {{"service", "test"}}) == 1;
  }));
  client.close();
  CHECK(testing::eventually([&] {
    return running.gauge("sangdam_websocket_connections", {{"service", "test"}}) == 0;
  }));
}

TEST_CASE("a WebSocket route refuses plain GETs and unauthenticated upgrades") {
  http::Router router;
  router.add_websocket(
      "/live", [](Request&, std::shared_ptr<WebSocketSession> session) -> asio::awaitable<void> {
        co_await session->closed();
      });
  router.set_authenticator([](Request& r) -> asio::awaitable<void> {
    if (r.header("Authorization").empty()) {
      throw Error(ErrorCode::kUnauthenticated, "missing_token", "a bearer token is required");
    }
    co_return;
  });
  RunningServer running(std::move(router));
  testing::HttpClient plain(running.port());
  CHECK(plain.request(boost::beast::http::verb::get, "/live", {}, {{"Authorization", "Bearer t"}})
            .status == 426);
  CHECK_THROWS_WITH(WebSocketClient(running.port(), "/live"), Catch::Contains("status 401"));
  WebSocketClient allowed(running.port(), "/live", {{"Authorization", "Bearer t"}});
}

TEST_CASE("a client that keeps reading gets every message and is never dropped") {
  constexpr int kMessages = 300;
  auto options = RunningServer::test_options();
  options.websocket_queue_limit = 64;
  Observed observed;
  http::Router router;
  router.add_websocket("/live", producer(observed, kMessages, 1024));
  RunningServer running(std::move(router), options);
  WebSocketClient client(running.port(), "/live");
  for (int i = 0; i < kMessages; ++i) {
    auto message = client.receive();
    REQUIRE(message.size() == 1024);
    REQUIRE(message.rfind(std::to_string(i), 0) == 0);
  }
  client.close();
  REQUIRE(testing::eventually([&] { return observed.handler_done.load(); }));
  CHECK(observed.accepted == kMessages);
  CHECK_FALSE(observed.refused);
  CHECK_FALSE(observed.dropped);
  CHECK(observed.max_queued <= 64);
  CHECK(running.counter("sangdam_websocket_dropped_total", {{"service", "test"}}) == 0);
}

TEST_CASE("a client that stops reading is dropped and the server's queue stays bounded") {
  constexpr std::size_t kQueueLimit = 16;
  constexpr int kMessages = 20000;  // 1.3 GB if nothing bounded it
  auto options = RunningServer::test_options();
  options.websocket_queue_limit = kQueueLimit;
  Observed observed;
  http::Router router;
  router.add_websocket("/live", producer(observed, kMessages, 64 * 1024));
  RunningServer running(std::move(router), options);

  WebSocketClient stalled(running.port(), "/live", {}, /*receive_buffer=*/4096);
  // The client reads nothing: TCP buffers fill, then the session's queue, then it is dropped.
  REQUIRE(
      testing::eventually([&] { return observed.handler_done.load(); }, std::chrono::seconds(20)));
  CHECK(observed.refused);
  CHECK(observed.accepted < kMessages);
  CHECK(observed.dropped);
  CHECK(observed.max_queued <= kQueueLimit);
  CHECK(observed.max_queued == kQueueLimit);  // it did fill up: the limit is what stopped it
  CHECK(observed.queued_after_close == 0);    // the queue is freed on drop
  CHECK_FALSE(observed.late_send_accepted);
  CHECK(running.counter("sangdam_websocket_dropped_total", {{"service", "test"}}) == 1);
  CHECK(stalled.closed_by_server(std::chrono::seconds(10)));
}

TEST_CASE("shutdown sends WebSocket clients a going-away close frame") {
  Observed observed;
  http::Router router;
  router.add_websocket("/live", producer(observed, 1, 16));
  RunningServer running(std::move(router));
  WebSocketClient client(running.port(), "/live");
  CHECK(client.receive().size() == 16);
  running.server().shutdown();
  CHECK(client.closed_by_server(std::chrono::seconds(5)));
  CHECK(client.close_code() == 1001);
  running.server().wait();
}
