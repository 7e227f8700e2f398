// One accepted WebSocket connection. The route's handler receives it right after the
// handshake, sets on_message (before its first co_await, so no message is missed), keeps the
// shared_ptr wherever it fans out notifications, and may co_await closed() to clean up.
//
// Writes go through a bounded queue: send() from any thread queues a text frame; when the
// queue already holds queue_limit messages the client is not keeping up, so it is dropped
// (socket closed, queue freed) and send() returns false. Memory per client is therefore
// bounded by queue_limit messages, whatever the client does.
// Liveness: the server pings every ping_interval; a client that sends no frame (pong
// included) for idle_timeout is dropped.
// Lifetime: a session lives on its server's io_context. Keep shared_ptrs to it only while the
// server runs (drop them when closed() completes, or in a Server::on_shutdown callback); one
// that outlives the Server points into destroyed state. Store a weak_ptr where in doubt.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "services/common/http_message.hpp"
#include "services/common/metrics.hpp"

namespace sangdam::http {

struct WebSocketLimits {
  std::size_t queue_limit = 256;          // queued outgoing messages before the client is dropped
  std::size_t message_limit = 64 * 1024;  // bytes of one incoming message
  std::chrono::steady_clock::duration ping_interval = std::chrono::seconds(20);
  std::chrono::steady_clock::duration idle_timeout = std::chrono::seconds(60);
  std::chrono::steady_clock::duration close_timeout = std::chrono::seconds(5);  // close handshake
};

// Shared by every session of a server; any pointer may be null.
struct WebSocketMetrics {
  metrics::Gauge* connections = nullptr;
  metrics::Counter* dropped = nullptr;  // slow clients dropped at the queue limit
  metrics::Counter* messages_sent = nullptr;
  metrics::Counter* messages_received = nullptr;
};

class WebSocketSession : public std::enable_shared_from_this<WebSocketSession> {
 public:
  using Stream = beast::websocket::stream<beast::tcp_stream>;

  WebSocketSession(Stream stream, Request request, WebSocketLimits limits,
                   WebSocketMetrics metrics);
  ~WebSocketSession();
  WebSocketSession(const WebSocketSession&) = delete;
  WebSocketSession& operator=(const WebSocketSession&) = delete;

  // Thread-safe. Queues a text frame. Returns false when the session is closed or closing, or
  // when the queue is full, in which case the client is dropped.
  bool send(std::string text);
  // Thread-safe. Sends the close frame once the queued messages are written.
  void close(beast::websocket::close_code code = beast::websocket::close_code::normal);
  // Thread-safe. Drops the connection now, without a close frame (forced shutdown).
  void abort();

  const Request& request() const { return request_; }
  // Called on the session's executor for every text or binary message received.
  std::function<void(std::string)> on_message;

  // Completes when the connection has ended (closed, dropped or failed). Await it on the
  // session's executor (the handler's executor).
  asio::awaitable<void> closed();
  bool is_open() const;
  bool dropped() const;
  std::size_t queued() const;      // messages waiting, the one being written included
  std::size_t max_queued() const;  // high-water mark of queued()
  asio::any_io_executor executor() { return stream_.get_executor(); }

  // Runs the reader and starts the writer; returns when the connection has ended. Called by
  // the server right after the handshake.
  asio::awaitable<void> run();

 private:
  asio::awaitable<void> write_loop();
  void finish();  // on the executor: close the socket, wake everyone

  Stream stream_;
  Request request_;
  WebSocketLimits limits_;
  WebSocketMetrics metrics_;
  asio::steady_timer wake_;    // cancelled to wake the writer (queue non-empty, closing)
  asio::steady_timer closed_;  // cancelled once the connection has ended
  bool ended_ = false;         // executor only

  mutable std::mutex mutex_;  // guards the fields below, touched by send() from any thread
  std::deque<std::string> queue_;
  std::size_t writing_ = 0;  // 1 while the writer holds a message taken from queue_
  std::size_t max_queued_ = 0;
  bool closing_ = false;
  bool dropped_ = false;
  bool finished_ = false;
  beast::websocket::close_code close_code_ = beast::websocket::close_code::normal;
};

}  // namespace sangdam::http
