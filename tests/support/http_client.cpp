#include "tests/support/http_client.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <thread>

namespace sangdam::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace websocket = beast::websocket;
using boost::system::error_code;
using tcp = asio::ip::tcp;

namespace {

constexpr std::uint64_t kReplyBodyLimit = 64 * 1024 * 1024;  // bytes; /metrics and bulk bodies

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Runs one asynchronous operation to completion or until timeout; on timeout calls cancel
// (which closes the socket) and lets the operation finish with an error.
template <typename Start, typename Cancel>
error_code run_with_timeout(asio::io_context& context, std::chrono::milliseconds timeout,
                            Start start, Cancel cancel) {
  bool done = false;
  error_code result;
  start([&](error_code ec, auto&&...) {
    result = ec;
    done = true;
  });
  auto deadline = std::chrono::steady_clock::now() + timeout;
  context.restart();
  while (!done && context.run_one_until(deadline) > 0) {
  }
  if (done) return result;
  cancel();
  context.restart();
  while (!done && context.run_one() > 0) {
  }
  return asio::error::timed_out;
}

void throw_on(const error_code& ec, std::string_view what) {
  if (ec) throw std::runtime_error(std::string(what) + ": " + ec.message());
}

void open_socket(tcp::socket& socket, int receive_buffer) {
  socket.open(tcp::v4());
  if (receive_buffer > 0) socket.set_option(asio::socket_base::receive_buffer_size(receive_buffer));
}

}  // namespace

std::string HttpReply::header(std::string_view name) const {
  auto it = headers.find(lower(name));
  return it == headers.end() ? std::string() : it->second;
}

HttpClient::HttpClient(unsigned short port, std::string host, std::chrono::milliseconds timeout)
    : host_(std::move(host)), port_(port), timeout_(timeout), stream_(context_) {}

HttpClient::~HttpClient() {
  close();
}

void HttpClient::connect() {
  close();
  buffer_.clear();
  open_socket(stream_.socket(), receive_buffer_);
  tcp::endpoint endpoint(asio::ip::make_address(host_), port_);
  auto ec = run_with_timeout(
      context_, timeout_, [&](auto handler) { stream_.socket().async_connect(endpoint, handler); },
      [&] { close(); });
  throw_on(ec, "connect");
  connected_ = true;
}

void HttpClient::close() {
  error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream_.socket().close(ignored);
  connected_ = false;
}

HttpReply HttpClient::request(bhttp::verb method, std::string target, std::string body,
                              const Headers& headers) {
  if (!connected_) connect();
  bhttp::request<bhttp::string_body> request{method, target, 11};
  request.set(bhttp::field::host, host_);
  for (const auto& [name, value] : headers) request.set(name, value);
  if (!body.empty() && request.find(bhttp::field::content_type) == request.end()) {
    request.set(bhttp::field::content_type, "application/json");
  }
  request.body() = std::move(body);
  request.prepare_payload();
  auto ec = run_with_timeout(
      context_, timeout_, [&](auto handler) { bhttp::async_write(stream_, request, handler); },
      [&] { close(); });
  throw_on(ec, "write request");
  return read_reply();
}

void HttpClient::send_raw(std::string_view bytes) {
  if (!connected_) connect();
  auto ec = run_with_timeout(
      context_, timeout_,
      [&](auto handler) { asio::async_write(stream_, asio::buffer(bytes), handler); },
      [&] { close(); });
  throw_on(ec, "write raw");
}

HttpReply HttpClient::read_reply() {
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(kReplyBodyLimit);
  auto ec = run_with_timeout(
      context_, timeout_,
      [&](auto handler) { bhttp::async_read(stream_, buffer_, parser, handler); },
      [&] { close(); });
  throw_on(ec, "read reply");
  auto& message = parser.get();
  HttpReply reply;
  reply.status = message.result_int();
  for (const auto& field : message) {
    reply.headers[lower(field.name_string())] = std::string(field.value());
  }
  reply.body = std::move(message.body());
  reply.keep_alive = message.keep_alive();
  if (!reply.keep_alive) close();
  return reply;
}

bool HttpClient::closed_by_server(std::chrono::milliseconds wait) {
  if (!connected_) return true;
  auto deadline = std::chrono::steady_clock::now() + wait;
  char scratch[4096];
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    bool timed_out = false;
    auto ec = run_with_timeout(
        context_, left,
        [&](auto handler) { stream_.socket().async_read_some(asio::buffer(scratch), handler); },
        [&] {
          timed_out = true;
          close();
        });
    if (timed_out) return false;
    if (ec) {
      close();
      return true;
    }
  }
}

WebSocketClient::WebSocketClient(unsigned short port, std::string target, const Headers& headers,
                                 int receive_buffer, std::chrono::milliseconds timeout)
    : timeout_(timeout), stream_(context_) {
  auto& socket = beast::get_lowest_layer(stream_).socket();
  open_socket(socket, receive_buffer);
  tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
  auto cancel = [&] {
    error_code ignored;
    socket.close(ignored);
  };
  auto ec = run_with_timeout(
      context_, timeout_, [&](auto handler) { socket.async_connect(endpoint, handler); }, cancel);
  throw_on(ec, "websocket connect");
  stream_.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
    for (const auto& [name, value] : headers) req.set(name, value);
  }));
  websocket::response_type response;
  ec = run_with_timeout(
      context_, timeout_,
      [&](auto handler) { stream_.async_handshake(response, "127.0.0.1", target, handler); },
      cancel);
  if (ec) {
    throw std::runtime_error("websocket handshake refused: status " +
                             std::to_string(response.result_int()) + " " + ec.message());
  }
  open_ = true;
}

WebSocketClient::~WebSocketClient() {
  try {
    close();
  } catch (...) {
    // A destructor in a test must not throw; the test has already asserted what matters.
  }
}

void WebSocketClient::send(std::string_view text) {
  stream_.text(true);
  auto ec = run_with_timeout(
      context_, timeout_,
      [&](auto handler) { stream_.async_write(asio::buffer(text.data(), text.size()), handler); },
      [&] {
        error_code ignored;
        beast::get_lowest_layer(stream_).socket().close(ignored);
      });
  throw_on(ec, "websocket send");
}

std::string WebSocketClient::receive() {
  buffer_.clear();
  auto ec = run_with_timeout(
      context_, timeout_, [&](auto handler) { stream_.async_read(buffer_, handler); },
      [&] {
        error_code ignored;
        beast::get_lowest_layer(stream_).socket().close(ignored);
      });
  if (ec == websocket::error::closed) close_code_ = stream_.reason().code;
  if (ec) open_ = false;
  throw_on(ec, "websocket receive");
  return beast::buffers_to_string(buffer_.data());
}

bool WebSocketClient::closed_by_server(std::chrono::milliseconds wait) {
  auto deadline = std::chrono::steady_clock::now() + wait;
  while (open_) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    bool timed_out = false;
    buffer_.clear();
    auto ec = run_with_timeout(
        context_, left, [&](auto handler) { stream_.async_read(buffer_, handler); },
        [&] {
          timed_out = true;
          error_code ignored;
          beast::get_lowest_layer(stream_).socket().close(ignored);
        });
    if (timed_out) {
      open_ = false;
      return false;
    }
    if (ec == websocket::error::closed) close_code_ = stream_.reason().code;
    if (ec) open_ = false;
  }
  return true;
}

void WebSocketClient::close() {
  if (!open_) return;
  open_ = false;
  run_with_timeout(
      context_, timeout_,
      [&](auto handler) { stream_.async_close(websocket::close_code::normal, handler); },
      [&] {
        error_code ignored;
        beast::get_lowest_layer(stream_).socket().close(ignored);
      });
}

RunningServer::RunningServer(http::Router router, http::ServerOptions options)
    : server_(std::make_unique<http::Server>(std::move(options), std::move(router))) {
  server_->start();
}

RunningServer::~RunningServer() {
  stop();
}

http::ServerOptions RunningServer::test_options() {
  http::ServerOptions options;
  options.port = 0;
  options.threads = 2;
  options.shutdown_grace = std::chrono::seconds(5);
  options.service = "test";
  return options;
}

double RunningServer::counter(const std::string& name, metrics::Labels labels) const {
  return server_->metrics().counter(name, std::move(labels)).value();
}

double RunningServer::gauge(const std::string& name, metrics::Labels labels) const {
  return server_->metrics().gauge(name, std::move(labels)).value();
}

void RunningServer::stop() {
  if (stopped_) return;
  stopped_ = true;
  server_->shutdown();
  server_->wait();
}

bool eventually(const std::function<bool()>& predicate, std::chrono::milliseconds wait) {
  // Short polls: the conditions tests wait for change within milliseconds.
  constexpr auto kPoll = std::chrono::milliseconds(5);
  auto deadline = std::chrono::steady_clock::now() + wait;
  while (std::chrono::steady_clock::now() < deadline) {
    if (predicate()) return true;
    std::this_thread::sleep_for(kPoll);
  }
  return predicate();
}

}  // namespace sangdam::testing
