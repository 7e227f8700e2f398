#include "services/common/http_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <csignal>

#include "services/common/http_core.hpp"
#include "services/common/log.hpp"

namespace sangdam::http {

namespace bhttp = beast::http;
using boost::system::error_code;
using detail::Core;

namespace {

// How often the shutdown sequence looks whether the last connection has gone.
constexpr auto kDrainPoll = std::chrono::milliseconds(10);
// After a forced close, time for the aborted operations to unwind before the loops stop.
constexpr auto kAbortSettle = std::chrono::milliseconds(50);
// Accept failures such as EMFILE repeat immediately; wait a little before the next try.
constexpr auto kAcceptBackoff = std::chrono::milliseconds(100);

void check_options(const ServerOptions& options) {
  auto refuse = [](std::string what) {
    throw Error(ErrorCode::kInternal, "bad_server_options", std::move(what));
  };
  if (options.threads < 0) refuse("threads must be >= 0");
  if (options.max_pipelined == 0) refuse("max_pipelined must be >= 1");
  if (options.websocket_queue_limit == 0) refuse("websocket_queue_limit must be >= 1");
  if (options.header_limit == 0) refuse("header_limit must be >= 1");
}

void add_builtin_routes(Core& core) {
  RouteOptions open;
  open.authenticate = false;
  open.body_limit = 0;
  Router& router = core.router;
  if (!router.has(bhttp::verb::get, "/healthz")) {
    router.add(
        bhttp::verb::get, "/healthz",
        [](Request&) -> asio::awaitable<Response> {
          co_return Response::json(200, R"({"status":"ok"})");
        },
        open);
  }
  if (!router.has(bhttp::verb::get, "/readyz")) {
    router.add(
        bhttp::verb::get, "/readyz",
        [&core](Request&) -> asio::awaitable<Response> {
          if (core.ready.load() && !core.stopping.load()) {
            co_return Response::json(200, R"({"ready":true})");
          }
          co_return Response::json(503, R"({"ready":false})");
        },
        open);
  }
  if (!router.has(bhttp::verb::get, "/metrics")) {
    router.add(
        bhttp::verb::get, "/metrics",
        [&core](Request&) -> asio::awaitable<Response> {
          co_return Response::text(200, "text/plain; version=0.0.4; charset=utf-8",
                                   core.metrics->render());
        },
        open);
  }
}

detail::RouteMetrics make_route_metrics(Core& core, const std::string& route,
                                        std::string_view method) {
  static constexpr const char* kClasses[] = {"1xx", "2xx", "3xx", "4xx", "5xx"};
  detail::RouteMetrics metrics;
  const std::string& service = core.options.service;
  for (std::size_t i = 0; i < metrics.by_class.size(); ++i) {
    metrics.by_class[i] =
        &core.metrics->counter("sangdam_http_requests_total",
                               {{"service", service},
                                {"route", route},
                                {"method", std::string(method)},
                                {"status", kClasses[i]}},
                               "HTTP requests answered, by route and status class");
  }
  metrics.latency = &core.metrics->histogram(
      "sangdam_http_request_duration_seconds",
      {{"service", service}, {"route", route}, {"method", std::string(method)}},
      metrics::latency_buckets(), "Time from request header to response ready");
  return metrics;
}

void register_metrics(Core& core) {
  for (const auto& route : core.router.routes()) {
    core.route_metrics.push_back(
        make_route_metrics(core, route.pattern, bhttp::to_string(route.method)));
  }
  core.unmatched = make_route_metrics(core, "unmatched", "any");
  const std::string& service = core.options.service;
  core.in_flight = &core.metrics->gauge("sangdam_http_requests_in_flight", {{"service", service}},
                                        "Requests whose handler is running");
  core.connections = &core.metrics->gauge("sangdam_http_connections", {{"service", service}},
                                          "Open HTTP connections, upgraded ones included");
  core.websocket_metrics.connections = &core.metrics->gauge(
      "sangdam_websocket_connections", {{"service", service}}, "Open WebSocket sessions");
  core.websocket_metrics.dropped =
      &core.metrics->counter("sangdam_websocket_dropped_total", {{"service", service}},
                             "WebSocket clients dropped because their write queue was full");
  core.websocket_metrics.messages_sent = &core.metrics->counter(
      "sangdam_websocket_messages_sent_total", {{"service", service}}, "WebSocket messages sent");
  core.websocket_metrics.messages_received =
      &core.metrics->counter("sangdam_websocket_messages_received_total", {{"service", service}},
                             "WebSocket messages received");
}

asio::awaitable<void> accept_loop(Core& core) {
  std::size_t next = 0;
  auto& acceptor = *core.acceptor;
  asio::steady_timer backoff(acceptor.get_executor());
  while (acceptor.is_open()) {
    // Round-robin over the workers: each connection then lives on one thread for good.
    int worker = static_cast<int>(next++ % core.workers.size());
    error_code ec;
    auto socket =
        co_await acceptor.async_accept(core.workers[static_cast<std::size_t>(worker)]->context,
                                       asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) break;
    if (ec) {
      log::warn("accept failed", {log::field("error", ec.message())});
      backoff.expires_after(kAcceptBackoff);
      co_await backoff.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    asio::co_spawn(core.workers[static_cast<std::size_t>(worker)]->context,
                   detail::serve(core, worker, std::move(socket)), asio::detached);
  }
}

// Runs on worker 0. See Server::shutdown for the order and why.
asio::awaitable<void> shutdown_sequence(Core& core) {
  error_code ignored;
  if (core.acceptor) core.acceptor->close(ignored);
  auto for_each_worker = [&core](bool force) {
    for (std::size_t i = 0; i < core.workers.size(); ++i) {
      asio::post(core.workers[i]->context, [&core, i, force] {
        detail::stop_worker_connections(core, static_cast<int>(i), force);
      });
    }
  };
  for_each_worker(false);
  auto deadline = std::chrono::steady_clock::now() + core.options.shutdown_grace;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (core.open_connections.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    timer.expires_after(kDrainPoll);
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  if (core.open_connections.load() > 0) {
    log::warn("shutdown grace over: closing remaining connections",
              {log::field("connections", static_cast<long long>(core.open_connections.load()))});
    for_each_worker(true);
    timer.expires_after(kAbortSettle);
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  std::vector<std::function<void()>> callbacks;
  {
    std::lock_guard lock(core.shutdown_mutex);
    callbacks.swap(core.shutdown_callbacks);
  }
  for (auto& callback : callbacks) {
    try {
      callback();
    } catch (const std::exception& e) {
      log::error("shutdown callback failed", {log::field("error", std::string_view(e.what()))});
    }
  }
  for (auto& worker : core.workers) {
    asio::post(worker->context, [&worker = *worker] {
      worker.work.reset();
      worker.context.stop();
    });
  }
  log::info("http server stopped", {log::field("service", core.options.service)});
}

}  // namespace

Server::Server(ServerOptions options, Router router) : core_(std::make_unique<Core>()) {
  check_options(options);
  core_->options = std::move(options);
  core_->metrics = core_->options.metrics ? core_->options.metrics : std::make_shared<Metrics>();
  core_->router = std::move(router);
  add_builtin_routes(*core_);
  register_metrics(*core_);
  int threads = core_->options.threads;
  if (threads == 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 0; i < threads; ++i) core_->workers.push_back(std::make_unique<detail::Worker>());
}

Server::~Server() {
  if (core_->started.load()) {
    shutdown();
    wait();
  }
}

void Server::start() {
  if (core_->started.exchange(true)) return;
  Core& core = *core_;
  try {
    auto address = asio::ip::make_address(core.options.address);
    asio::ip::tcp::endpoint endpoint(address, core.options.port);
    auto& acceptor = core.acceptor.emplace(core.workers[0]->context);
    acceptor.open(endpoint.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen(asio::socket_base::max_listen_connections);
    core.port = acceptor.local_endpoint().port();
  } catch (const boost::system::system_error& e) {
    core.started = false;
    throw Error(ErrorCode::kUnavailable, "bind_failed",
                "cannot listen on " + core.options.address + ":" +
                    std::to_string(core.options.port) + ": " + e.code().message());
  }
  asio::co_spawn(core.workers[0]->context, accept_loop(core), asio::detached);
  for (auto& worker : core.workers) {
    worker->work.emplace(worker->context.get_executor());
    core.threads.emplace_back([&context = worker->context] { context.run(); });
  }
  log::info(
      "http server listening",
      {log::field("service", core.options.service), log::field("address", core.options.address),
       log::field("port", static_cast<long long>(core.port)),
       log::field("threads", static_cast<long long>(core.workers.size()))});
}

unsigned short Server::port() const {
  return core_->port;
}

asio::io_context& Server::context(int worker) {
  if (worker < 0 || worker >= workers()) {
    throw Error(ErrorCode::kInternal, "no_such_worker", "no worker " + std::to_string(worker));
  }
  return core_->workers[static_cast<std::size_t>(worker)]->context;
}

int Server::workers() const {
  return static_cast<int>(core_->workers.size());
}

void Server::set_ready(bool ready) {
  core_->ready = ready;
}

void Server::shutdown() {
  // Readiness fails first so that a load balancer stops sending before we stop accepting.
  core_->ready = false;
  if (core_->stopping.exchange(true)) return;
  if (!core_->started.load()) return;
  asio::co_spawn(core_->workers[0]->context, shutdown_sequence(*core_), asio::detached);
}

void Server::wait() {
  std::call_once(core_->joined, [this] {
    for (auto& thread : core_->threads) {
      if (thread.joinable()) thread.join();
    }
  });
}

void Server::on_shutdown(std::function<void()> fn) {
  std::lock_guard lock(core_->shutdown_mutex);
  core_->shutdown_callbacks.push_back(std::move(fn));
}

Metrics& Server::metrics() {
  return *core_->metrics;
}

void run_until_signal(Server& server) {
  asio::io_context signals_context{1};
  asio::signal_set signals(signals_context, SIGINT, SIGTERM);
  signals.async_wait([&server](const error_code& ec, int signal) {
    if (ec) return;  // cancelled: the server stopped on its own
    log::info("signal received: shutting down",
              {log::field("signal", static_cast<long long>(signal))});
    server.shutdown();
  });
  // If something else shuts the server down, stop waiting for a signal.
  server.on_shutdown([&signals_context, &signals] {
    asio::post(signals_context, [&signals] { signals.cancel(); });
  });
  signals_context.run();
  server.wait();
}

}  // namespace sangdam::http
