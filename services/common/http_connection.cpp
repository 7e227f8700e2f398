// One HTTP/1.1 connection, in the shape of Beast's advanced server: a reader that parses
// requests, a writer that sends responses in request order, and between them a queue capped
// at max_pipelined. Handlers of pipelined requests run concurrently; their responses still
// leave in order because the writer only ever takes the front of the queue.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <deque>

#include "services/common/http_core.hpp"
#include "services/common/log.hpp"

namespace sangdam::http::detail {

namespace bhttp = beast::http;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

namespace {

// The connection ended the ordinary way: nothing to log.
bool harmless(const error_code& ec) {
  return ec == asio::error::operation_aborted || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == asio::error::not_connected || ec == bhttp::error::end_of_stream ||
         ec == bhttp::error::partial_message || ec == beast::error::timeout ||
         ec == asio::error::bad_descriptor;
}

void fail(const error_code& ec, std::string_view what) {
  if (harmless(ec)) return;
  log::warn("http connection failed",
            {log::field("step", what), log::field("error", ec.message())});
}

// Counts a connection or WebSocket in Core::open_connections for its whole life.
class OpenCount {
 public:
  explicit OpenCount(Core& core) : core_(core) {
    core_.open_connections.fetch_add(1);
    if (core_.connections) core_.connections->inc();
  }
  ~OpenCount() {
    core_.open_connections.fetch_sub(1);
    if (core_.connections) core_.connections->dec();
  }
  OpenCount(const OpenCount&) = delete;
  OpenCount& operator=(const OpenCount&) = delete;

 private:
  Core& core_;
};

}  // namespace

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Core& core, int worker, asio::ip::tcp::socket socket)
      : core_(core),
        worker_(worker),
        count_(core),
        stream_(std::move(socket)),
        wake_(stream_.get_executor(), Clock::time_point::max()),
        idle_deadline_(Clock::now() + core.options.read_timeout) {
    auto& list = core_.workers[static_cast<std::size_t>(worker_)]->connections;
    registration_ = list.insert(list.end(), std::weak_ptr<Connection>());
  }

  ~Connection() {
    core_.workers[static_cast<std::size_t>(worker_)]->connections.erase(registration_);
  }

  asio::awaitable<void> run() {
    *registration_ = weak_from_this();
    asio::co_spawn(stream_.get_executor(), write_loop(), asio::detached);
    co_await read_loop();
  }

  // Graceful: an idle connection closes now; a busy one after its last response.
  void stop() {
    if (upgraded_) return;
    stopping_ = true;
    if (queue_.empty() && !reading_request_) close_socket();
    wake_.cancel();
  }

  void abort() {
    if (upgraded_) return;
    stopping_ = true;
    close_socket();
    wake_.cancel();
  }

 private:
  // One request and, once its handler is done, its response.
  struct Exchange {
    Request request;
    const Router::Route* route = nullptr;
    std::string allow;              // for 405
    std::optional<Response> early;  // set when the request failed before reaching a handler
    std::optional<bhttp::response<bhttp::string_body>> response;
    unsigned version = 11;
    bool keep_alive = true;
    Clock::time_point started = Clock::now();
  };

  void close_socket() {
    error_code ignored;
    stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

  asio::awaitable<void> wait_for_change() {
    error_code ec;
    co_await wake_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }

  const RouteMetrics& metrics_for(const Exchange& exchange) const {
    return exchange.route ? core_.route_metrics[exchange.route->index] : core_.unmatched;
  }

  // Queues a response that needs no handler (parse failures, 413): the connection closes
  // after it because the rest of the byte stream cannot be trusted.
  void queue_failure(std::shared_ptr<Exchange> exchange, Response response) {
    exchange->keep_alive = false;
    exchange->early = std::move(response);
    queue_.push_back(exchange);
    asio::co_spawn(stream_.get_executor(), handle(shared_from_this(), std::move(exchange)),
                   asio::detached);
  }

  asio::awaitable<void> read_loop() {
    auto self = shared_from_this();
    const ServerOptions& options = core_.options;
    beast::flat_buffer buffer;
    while (!stopping_ && !closed_) {
      // Bounded pipelining: a client that sends faster than we answer is not read further
      // until responses drain; TCP flow control then slows it down.
      while (queue_.size() >= options.max_pipelined && !closed_) co_await wait_for_change();
      if (closed_ || stopping_) break;

      // A fresh parser per request; the body limit is set once the route is known.
      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
      parser.body_limit(boost::none);
      error_code ec;
      // No stream timeout here: waiting for the next header is the connection's idle time,
      // which the writer bounds (idle_deadline_) so that it never runs while a response of
      // a slow handler is still due.
      stream_.expires_never();
      co_await bhttp::async_read_header(stream_, buffer, parser,
                                        asio::redirect_error(asio::use_awaitable, ec));
      auto exchange = std::make_shared<Exchange>();
      if (ec == bhttp::error::header_limit) {
        queue_failure(exchange,
                      error_response(431, "header_too_large",
                                     "request headers exceed " +
                                         std::to_string(options.header_limit) + " bytes"));
        break;
      }
      if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
          ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
        queue_failure(exchange, error_response(400, "malformed_request", ec.message()));
        break;
      }
      if (ec) {
        fail(ec, "read header");
        break;
      }
      reading_request_ = true;

      Request& request = exchange->request;
      auto& header = parser.get();
      request.method = header.method();
      request.target = std::string(header.target());
      request.headers = header.base();
      request.worker = worker_;
      std::string_view client_id = request.header("X-Request-Id");
      request.request_id = sane_request_id(client_id) ? std::string(client_id) : make_request_id();
      exchange->version = header.version();
      exchange->keep_alive = header.keep_alive();

      std::size_t body_limit = RouteOptions{}.body_limit;
      try {
        Router::Match match = core_.router.match(request);
        exchange->route = match.route;
        exchange->allow = std::move(match.allow);
        if (match.route) body_limit = match.route->options.body_limit;
      } catch (const Error& e) {
        exchange->early = error_response(e);
      }
      // Beast compares Content-Length with the limit only while parsing the header, which
      // ran unlimited; so the declared length is checked here, chunked bodies by the parser.
      parser.body_limit(body_limit);
      if (parser.content_length() && *parser.content_length() > body_limit) {
        ec = bhttp::error::body_limit;
      } else {
        stream_.expires_after(options.read_timeout);
        co_await bhttp::async_read(stream_, buffer, parser,
                                   asio::redirect_error(asio::use_awaitable, ec));
      }
      reading_request_ = false;
      if (ec == bhttp::error::body_limit) {
        queue_failure(exchange,
                      error_response(
                          413, "payload_too_large",
                          "request body exceeds " + std::to_string(body_limit) + " bytes", "body"));
        break;
      }
      if (ec) {
        fail(ec, "read body");
        break;
      }
      request.body = std::move(parser.get().body());

      if (exchange->route && exchange->route->websocket && !exchange->early) {
        if (beast::websocket::is_upgrade(parser.get())) {
          co_await upgrade(std::move(exchange), parser.release());
          co_return;
        }
        exchange->early =
            error_response(426, "upgrade_required", "this route speaks WebSocket only");
      }
      queue_.push_back(exchange);
      asio::co_spawn(stream_.get_executor(), handle(self, exchange), asio::detached);
      if (!exchange->keep_alive) break;
    }
    reading_done_ = true;
    wake_.cancel();
  }

  // Runs the handler of one exchange and builds its response; never throws.
  static asio::awaitable<void> handle(std::shared_ptr<Connection> self,
                                      std::shared_ptr<Exchange> exchange) {
    Core& core = self->core_;
    Request& request = exchange->request;
    Response response;
    core.in_flight->inc();
    try {
      if (exchange->early) {
        response = std::move(*exchange->early);
      } else if (exchange->route == nullptr && exchange->allow.empty()) {
        response = error_response(
            Error(ErrorCode::kNotFound, "route_not_found", "no route for " + request.path, "path"));
      } else if (exchange->route == nullptr) {
        response = error_response(Error(ErrorCode::kMethodNotAllowed, "method_not_allowed",
                                        "allowed: " + exchange->allow, "method"));
        response.headers.emplace_back("Allow", exchange->allow);
      } else {
        const Router::Route& route = *exchange->route;
        if (route.options.authenticate && core.router.authenticator()) {
          co_await core.router.authenticator()(request);
        }
        response = co_await route.handler(request);
      }
    } catch (const Error& e) {
      response = error_response(e);
      if (response.status >= 500) {
        log::write(log::Level::kError, "request failed",
                   {log::field("route", request.route), log::field("reason", e.reason()),
                    log::field("error", std::string_view(e.what()))},
                   request.request_id);
      }
    } catch (const std::exception& e) {
      // Anything that is not a sangdam::Error is a bug: log it, do not leak it.
      response = error_response(500, "internal", "internal error");
      log::write(
          log::Level::kError, "handler threw",
          {log::field("route", request.route), log::field("error", std::string_view(e.what()))},
          request.request_id);
    }
    core.in_flight->dec();
    self->finish_exchange(*exchange, std::move(response));
  }

  void finish_exchange(Exchange& exchange, Response response) {
    auto& out =
        exchange.response.emplace(static_cast<bhttp::status>(response.status), exchange.version);
    out.set(bhttp::field::server, "sangdam");
    out.set(bhttp::field::content_type, response.content_type);
    out.set("X-Request-Id", exchange.request.request_id);
    for (auto& [name, value] : response.headers) out.insert(name, value);
    out.body() = std::move(response.body);
    out.keep_alive(exchange.keep_alive);
    out.prepare_payload();

    const RouteMetrics& metrics = metrics_for(exchange);
    unsigned status_class = std::min(5u, std::max(1u, response.status / 100));
    metrics.by_class[status_class - 1]->inc();
    metrics.latency->observe(
        std::chrono::duration<double>(Clock::now() - exchange.started).count());
    wake_.cancel();
  }

  asio::awaitable<void> write_loop() {
    auto self = shared_from_this();
    while (true) {
      if (upgraded_) co_return;  // the stream now belongs to a WebSocket session
      if (queue_.empty()) {
        if (reading_done_ || closed_) break;
        if (stopping_ && !reading_request_) break;
        bool idle = !reading_request_;
        wake_.expires_at(idle ? idle_deadline_ : Clock::time_point::max());
        error_code ec;
        co_await wake_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (!ec && queue_.empty() && !reading_request_ && Clock::now() >= idle_deadline_) {
          break;  // idle too long (or never sent a complete header): drop the client
        }
        continue;
      }
      auto exchange = queue_.front();
      if (!exchange->response) {
        co_await wait_for_change();
        continue;
      }
      auto& response = *exchange->response;
      // At shutdown the last response tells the client to go; earlier pipelined ones still
      // keep the connection so that they all arrive.
      if (stopping_ && queue_.size() == 1 && !reading_request_) response.keep_alive(false);
      error_code ec;
      stream_.expires_after(core_.options.write_timeout);
      co_await bhttp::async_write(stream_, response, asio::redirect_error(asio::use_awaitable, ec));
      queue_.pop_front();
      if (queue_.empty()) idle_deadline_ = Clock::now() + core_.options.keep_alive_idle;
      wake_.cancel();  // room in the queue for the reader
      if (ec) {
        fail(ec, "write");
        break;
      }
      if (!response.keep_alive()) break;
    }
    closed_ = true;
    close_socket();
    wake_.cancel();
  }

  asio::awaitable<void> upgrade(std::shared_ptr<Exchange> exchange,
                                bhttp::request<bhttp::string_body> upgrade_request) {
    // Earlier pipelined responses go out first; then the stream changes hands.
    while (!queue_.empty() && !closed_) co_await wait_for_change();
    if (closed_) co_return;
    Request& request = exchange->request;
    const Router::Route& route = *exchange->route;
    std::optional<Response> refusal;
    try {
      if (route.options.authenticate && core_.router.authenticator()) {
        co_await core_.router.authenticator()(request);
      }
      if (route.options.admit) co_await route.options.admit(request);
    } catch (const Error& e) {
      refusal = error_response(e);
    }
    if (refusal) {
      exchange->keep_alive = false;
      queue_.push_back(exchange);
      finish_exchange(*exchange, std::move(*refusal));
      reading_done_ = true;
      co_return;
    }
    upgraded_ = true;
    wake_.cancel();  // lets the writer see upgraded_ and leave the stream alone

    WebSocketSession::Stream websocket(std::move(stream_));
    // The WebSocket layer has its own timeouts (WebSocketSession::run); the HTTP ones would
    // cut a quiet but healthy connection.
    beast::get_lowest_layer(websocket).expires_after(core_.options.read_timeout);
    error_code ec;
    co_await websocket.async_accept(upgrade_request, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      fail(ec, "websocket handshake");
      co_return;
    }
    beast::get_lowest_layer(websocket).expires_never();
    auto session = std::make_shared<WebSocketSession>(
        std::move(websocket), request, core_.websocket_limits(route.options.body_limit),
        core_.websocket_metrics);
    auto& sessions = core_.workers[static_cast<std::size_t>(worker_)]->websockets;
    auto registration = sessions.insert(sessions.end(), session);
    if (core_.stopping) session->close(beast::websocket::close_code::going_away);
    // run() is posted, so the handler below reaches its first suspension (and sets
    // on_message) before the first message is read.
    asio::co_spawn(session->executor(), session->run(), asio::detached);
    try {
      co_await route.websocket(request, session);
    } catch (const std::exception& e) {
      log::write(
          log::Level::kError, "websocket handler threw",
          {log::field("route", route.pattern), log::field("error", std::string_view(e.what()))},
          request.request_id);
      session->close(beast::websocket::close_code::internal_error);
    }
    co_await session->closed();
    sessions.erase(registration);
  }

  Core& core_;
  int worker_;
  OpenCount count_;
  beast::tcp_stream stream_;
  asio::steady_timer wake_;  // cancelled whenever the queue or the state changes
  // When an idle connection (nothing queued, no request being read) is dropped: read_timeout
  // after accept, keep_alive_idle after the last response.
  Clock::time_point idle_deadline_;
  std::deque<std::shared_ptr<Exchange>> queue_;
  std::list<std::weak_ptr<Connection>>::iterator registration_;
  bool reading_request_ = false;  // between a request's header and the end of its body
  bool reading_done_ = false;     // the reader will add nothing more
  bool stopping_ = false;         // shutdown: finish what is queued, then close
  bool closed_ = false;           // the writer has closed the socket
  bool upgraded_ = false;         // the stream moved to a WebSocket session
};

WebSocketLimits Core::websocket_limits(std::size_t message_limit) const {
  WebSocketLimits limits;
  limits.queue_limit = options.websocket_queue_limit;
  limits.message_limit = message_limit;
  limits.ping_interval = options.websocket_ping;
  limits.idle_timeout = options.websocket_idle;
  return limits;
}

asio::awaitable<void> serve(Core& core, int worker, asio::ip::tcp::socket socket) {
  error_code ignored;
  // Responses are written whole; Nagle would only delay the last segment of each.
  socket.set_option(asio::ip::tcp::no_delay(true), ignored);
  auto connection = std::make_shared<Connection>(core, worker, std::move(socket));
  if (core.stopping) connection->stop();
  co_await connection->run();
}

void stop_worker_connections(Core& core, int worker, bool force) {
  Worker& w = *core.workers[static_cast<std::size_t>(worker)];
  // Copy first: stopping a connection can end it and erase it from the list.
  std::vector<std::shared_ptr<Connection>> connections;
  for (auto& weak : w.connections) {
    if (auto connection = weak.lock()) connections.push_back(std::move(connection));
  }
  for (auto& connection : connections) force ? connection->abort() : connection->stop();
  std::vector<std::shared_ptr<WebSocketSession>> sessions;
  for (auto& weak : w.websockets) {
    if (auto session = weak.lock()) sessions.push_back(std::move(session));
  }
  for (auto& session : sessions) {
    force ? session->abort() : session->close(beast::websocket::close_code::going_away);
  }
}

}  // namespace sangdam::http::detail
