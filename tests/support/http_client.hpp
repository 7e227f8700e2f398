// Small blocking HTTP/1.1 and WebSocket clients for tests (Boost.Beast over loopback). Every
// operation has a timeout so that a server bug fails the test instead of hanging it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "services/common/http_server.hpp"

namespace sangdam::testing {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpReply {
  unsigned status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  bool keep_alive = true;
  std::string header(std::string_view name) const;  // empty when absent; any case
};

// One keep-alive connection, opened on first use and reopened after the server closes it.
class HttpClient {
 public:
  explicit HttpClient(unsigned short port, std::string host = "127.0.0.1",
                      std::chrono::milliseconds timeout = std::chrono::seconds(5));
  ~HttpClient();

  HttpReply request(boost::beast::http::verb method, std::string target, std::string body = {},
                    const Headers& headers = {});
  HttpReply get(std::string target) { return request(boost::beast::http::verb::get, target); }

  // For protocol tests (pipelining, malformed requests): raw bytes out, one reply in.
  void send_raw(std::string_view bytes);
  HttpReply read_reply();
  // True when the server closes the connection within wait (EOF or reset); false when the
  // connection is still open at the end of wait. Any unread bytes are discarded.
  bool closed_by_server(std::chrono::milliseconds wait);
  void connect();
  void close();
  bool connected() const { return connected_; }
  // Small receive buffer: set before connect() to make a client that stops reading fill up.
  void set_receive_buffer(int bytes) { receive_buffer_ = bytes; }

 private:
  std::string host_;
  unsigned short port_;
  std::chrono::milliseconds timeout_;
  boost::asio::io_context context_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  bool connected_ = false;
  int receive_buffer_ = 0;
};

class WebSocketClient {
 public:
  // Connects and handshakes; throws std::runtime_error with the HTTP status when refused.
  WebSocketClient(unsigned short port, std::string target, const Headers& headers = {},
                  int receive_buffer = 0,
                  std::chrono::milliseconds timeout = std::chrono::seconds(5));
  ~WebSocketClient();

  void send(std::string_view text);
  // Next text message; throws std::runtime_error on timeout or when the connection ends.
  std::string receive();
  // Waits for the connection to end; true when it did within wait.
  bool closed_by_server(std::chrono::milliseconds wait);
  // The close code the server sent, when it sent one.
  int close_code() const { return close_code_; }
  void close();

 private:
  std::chrono::milliseconds timeout_;
  boost::asio::io_context context_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> stream_;
  boost::beast::flat_buffer buffer_;
  bool open_ = false;
  int close_code_ = 0;
};

// A started server on a free loopback port with test-sized defaults (2 threads, short
// grace); shut down and joined when it goes out of scope.
class RunningServer {
 public:
  explicit RunningServer(http::Router router, http::ServerOptions options = test_options());
  ~RunningServer();
  static http::ServerOptions test_options();

  http::Server& server() { return *server_; }
  unsigned short port() const { return server_->port(); }
  // Value of one series of the server's registry (0 when it was never touched).
  double counter(const std::string& name, metrics::Labels labels) const;
  double gauge(const std::string& name, metrics::Labels labels) const;
  // Stops and joins now (the destructor then does nothing).
  void stop();

 private:
  std::unique_ptr<http::Server> server_;
  bool stopped_ = false;
};

// Polls until predicate() holds or wait is over; returns the last value of predicate().
bool eventually(const std::function<bool()>& predicate,
                std::chrono::milliseconds wait = std::chrono::seconds(5));

}  // namespace sangdam::testing
