// Internal to the HTTP server: the state shared by the listener, the connections and the
// shutdown sequence. Not for handlers.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <array>
#include <atomic>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "services/common/http_server.hpp"

namespace sangdam::http::detail {

class Connection;

// Per-route series, looked up once so the request path does no registry lookups.
struct RouteMetrics {
  std::array<metrics::Counter*, 5> by_class{};  // 1xx .. 5xx
  metrics::Histogram* latency = nullptr;
};

struct Worker {
  // Touched only on this worker's thread; for shutdown to reach every live connection.
  // Declared before the context: destroying the context destroys suspended connections,
  // which unregister themselves from these lists, so the lists must still exist then.
  std::list<std::weak_ptr<Connection>> connections;
  std::list<std::weak_ptr<WebSocketSession>> websockets;
  asio::io_context context{1};  // one thread runs it: no locking inside
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
};

struct Core {
  ServerOptions options;
  Router router;
  std::shared_ptr<Metrics> metrics;         // never null once the server is built
  std::vector<RouteMetrics> route_metrics;  // by Router::Route::index
  RouteMetrics unmatched;                   // 404, 405, malformed requests
  metrics::Gauge* in_flight = nullptr;
  metrics::Gauge* connections = nullptr;
  WebSocketMetrics websocket_metrics;

  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<std::thread> threads;
  std::optional<asio::ip::tcp::acceptor> acceptor;  // on worker 0
  unsigned short port = 0;
  std::atomic<bool> ready{true};
  std::atomic<bool> started{false};
  std::atomic<bool> stopping{false};
  std::atomic<int> open_connections{0};  // HTTP connections and WebSocket sessions alive
  std::mutex shutdown_mutex;             // guards shutdown_callbacks
  std::vector<std::function<void()>> shutdown_callbacks;
  std::once_flag joined;

  WebSocketLimits websocket_limits(std::size_t message_limit) const;
};

// Serves one accepted socket on worker `worker` until it closes or is upgraded.
asio::awaitable<void> serve(Core& core, int worker, asio::ip::tcp::socket socket);

// On the worker's thread: graceful (finish in-flight, then close) or forced stop of every
// connection and WebSocket of the worker.
void stop_worker_connections(Core& core, int worker, bool force);

}  // namespace sangdam::http::detail
