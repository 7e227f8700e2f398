// The HTTP/1.1 + WebSocket server every service runs (Boost.Beast, C++20 coroutines).
// Threads: one io_context per thread, each run by exactly one thread, so a connection and its
// handlers never need locks. One acceptor (on worker 0) hands each accepted socket to the
// next worker round-robin; see README-http.md for why not SO_REUSEPORT.
// Built-in routes: GET /healthz, GET /readyz, GET /metrics (Prometheus text 0.0.4).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "services/common/http_error.hpp"
#include "services/common/http_message.hpp"
#include "services/common/http_router.hpp"
#include "services/common/metrics.hpp"
#include "services/common/websocket.hpp"

namespace sangdam::http {

using Metrics = metrics::Registry;

struct ServerOptions {
  std::string address = "127.0.0.1";
  unsigned short port = 8080;  // 0 = pick a free port
  int threads = 0;             // 0 = hardware concurrency; one io_context per thread
  std::size_t header_limit = 16 * 1024;
  std::chrono::seconds read_timeout{30};  // a client that sends nothing is dropped
  std::chrono::seconds write_timeout{30};
  std::chrono::seconds keep_alive_idle{60};
  std::size_t max_pipelined = 16;           // bounded pipelining queue per connection
  std::size_t websocket_queue_limit = 256;  // messages; over it the slow client is dropped
  std::chrono::seconds websocket_ping{20}, websocket_idle{60};
  std::chrono::seconds shutdown_grace{10};
  std::string service = "sangdam";  // label in metrics and logs
  // The registry /metrics renders: shared with the service's own series (ServiceRuntime);
  // null: the server makes its own.
  std::shared_ptr<metrics::Registry> metrics;
};

namespace detail {
struct Core;
}

class Server {
 public:
  // Throws Error(kInternal) on options that cannot work (threads < 0, max_pipelined 0 ...).
  Server(ServerOptions options, Router router);
  ~Server();  // shuts down and waits if still running
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, spawns the threads, returns. Throws Error(kUnavailable, "bind_failed") when the
  // address cannot be bound.
  void start();
  unsigned short port() const;  // the bound port (useful with port 0)
  asio::io_context& context(int worker);
  int workers() const;
  // GET /readyz answers 200 {"ready":true} or 503. Ready by default; a service that must
  // first reach its dependencies calls set_ready(false) before start().
  void set_ready(bool ready);
  // Graceful shutdown: readiness fails, the acceptor closes, in-flight requests finish (up to
  // shutdown_grace), idle keep-alive connections close, WebSockets get a close frame, the
  // on_shutdown callbacks run, then the io_contexts stop. Callable from any thread, any
  // number of times.
  void shutdown();
  void wait();  // blocks until every thread has ended
  // Registers a callback run at shutdown before threads stop (e.g. stop bus consumers).
  void on_shutdown(std::function<void()> fn);
  Metrics& metrics();

 private:
  std::unique_ptr<detail::Core> core_;
};

// Blocks until SIGINT/SIGTERM (then server.shutdown()) or until the server stops for another
// reason, then waits for the server's threads. For service mains.
void run_until_signal(Server& server);

}  // namespace sangdam::http
