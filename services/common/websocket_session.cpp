#include "services/common/websocket.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>

#include <algorithm>

#include "services/common/log.hpp"

namespace sangdam::http {

namespace websocket = beast::websocket;
using boost::system::error_code;

WebSocketSession::WebSocketSession(Stream stream, Request request, WebSocketLimits limits,
                                   WebSocketMetrics metrics)
    : stream_(std::move(stream)),
      request_(std::move(request)),
      limits_(limits),
      metrics_(metrics),
      wake_(stream_.get_executor()),
      closed_(stream_.get_executor(), asio::steady_timer::time_point::max()) {
  if (metrics_.connections) metrics_.connections->inc();
}

WebSocketSession::~WebSocketSession() {
  if (metrics_.connections) metrics_.connections->dec();
}

bool WebSocketSession::send(std::string text) {
  std::lock_guard lock(mutex_);
  if (closing_ || dropped_ || finished_) return false;
  if (queue_.size() + writing_ >= limits_.queue_limit) {
    // The client reads slower than we produce: keeping more would grow without bound.
    dropped_ = true;
    queue_.clear();
    if (metrics_.dropped) metrics_.dropped->inc();
    log::write(log::Level::kWarn, "websocket client dropped: write queue full",
               {log::field("route", request_.route),
                log::field("queue_limit", static_cast<long long>(limits_.queue_limit))},
               request_.request_id);
    asio::post(stream_.get_executor(), [self = shared_from_this()] { self->finish(); });
    return false;
  }
  bool writer_idle = queue_.empty() && writing_ == 0;
  queue_.push_back(std::move(text));
  max_queued_ = std::max(max_queued_, queue_.size() + writing_);
  if (writer_idle) {
    asio::post(stream_.get_executor(), [self = shared_from_this()] { self->wake_.cancel(); });
  }
  return true;
}

void WebSocketSession::close(websocket::close_code code) {
  std::lock_guard lock(mutex_);
  if (closing_ || dropped_ || finished_) return;
  closing_ = true;
  close_code_ = code;
  asio::post(stream_.get_executor(), [self = shared_from_this()] { self->wake_.cancel(); });
}

void WebSocketSession::abort() {
  asio::post(stream_.get_executor(), [self = shared_from_this()] { self->finish(); });
}

bool WebSocketSession::is_open() const {
  std::lock_guard lock(mutex_);
  return !finished_ && !dropped_ && !closing_;
}

bool WebSocketSession::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

std::size_t WebSocketSession::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size() + writing_;
}

std::size_t WebSocketSession::max_queued() const {
  std::lock_guard lock(mutex_);
  return max_queued_;
}

asio::awaitable<void> WebSocketSession::closed() {
  if (ended_) co_return;
  error_code ec;
  co_await closed_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

void WebSocketSession::finish() {
  if (ended_) return;
  ended_ = true;
  {
    std::lock_guard lock(mutex_);
    finished_ = true;
    queue_.clear();
  }
  error_code ignored;
  beast::get_lowest_layer(stream_).socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  beast::get_lowest_layer(stream_).socket().close(ignored);
  wake_.cancel();
  closed_.cancel();
}

asio::awaitable<void> WebSocketSession::run() {
  auto self = shared_from_this();
  // Beast's own timer drops a client that sends nothing (pongs included) for idle_timeout;
  // our writer sends the pings, on its own schedule, so keep_alive_pings stays off.
  stream_.set_option(websocket::stream_base::timeout{limits_.close_timeout, limits_.idle_timeout,
                                                     /*keep_alive_pings=*/false});
  stream_.read_message_max(limits_.message_limit);
  asio::co_spawn(stream_.get_executor(), write_loop(), asio::detached);

  beast::flat_buffer buffer;
  while (!ended_) {
    error_code ec;
    co_await stream_.async_read(buffer, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
    if (metrics_.messages_received) metrics_.messages_received->inc();
    if (on_message) {
      try {
        on_message(beast::buffers_to_string(buffer.data()));
      } catch (const std::exception& e) {
        // A failing callback must not take the connection down with it.
        log::write(
            log::Level::kError, "websocket message handler failed",
            {log::field("route", request_.route), log::field("error", std::string_view(e.what()))},
            request_.request_id);
      }
    }
    buffer.consume(buffer.size());
  }
  finish();
}

asio::awaitable<void> WebSocketSession::write_loop() {
  auto self = shared_from_this();
  auto next_ping = std::chrono::steady_clock::now() + limits_.ping_interval;
  while (!ended_) {
    error_code ec;
    if (std::chrono::steady_clock::now() >= next_ping) {
      co_await stream_.async_ping({}, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
      next_ping = std::chrono::steady_clock::now() + limits_.ping_interval;
      continue;
    }
    std::string message;
    bool have_message = false;
    bool closing = false;
    bool dropped = false;
    {
      std::lock_guard lock(mutex_);
      if (!queue_.empty()) {
        message = std::move(queue_.front());
        queue_.pop_front();
        writing_ = 1;
        have_message = true;
      }
      closing = closing_;
      dropped = dropped_;
    }
    if (dropped) break;
    if (have_message) {
      stream_.text(true);
      co_await stream_.async_write(asio::buffer(message),
                                   asio::redirect_error(asio::use_awaitable, ec));
      {
        std::lock_guard lock(mutex_);
        writing_ = 0;
      }
      if (ec) break;
      if (metrics_.messages_sent) metrics_.messages_sent->inc();
      continue;
    }
    if (closing) {
      co_await stream_.async_close(close_code_, asio::redirect_error(asio::use_awaitable, ec));
      break;
    }
    wake_.expires_at(next_ping);
    co_await wake_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  finish();
}

}  // namespace sangdam::http
