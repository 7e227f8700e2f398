// A blocking HTTP/1.1 client for the CLI and for tests: one connection, keep-alive, every step
// bounded by a timeout. URLs are http://host:port (the CLI talks to a gateway on the operator's
// network).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sangdam {

struct HttpAnswer {
  unsigned status = 0;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // every response header, in order

  // The first header of that name (case-insensitive), "" when there is none.
  std::string header(std::string_view name) const;
};

class HttpCall {
 public:
  // server: "http://127.0.0.1:8080". Throws std::runtime_error on a malformed URL.
  HttpCall(std::string_view server, std::string token,
           std::chrono::seconds timeout = std::chrono::seconds(60));
  ~HttpCall();

  // Throws std::runtime_error when the server cannot be reached or the exchange times out.
  // extra_headers: more "Name", "value" pairs (e.g. Accept).
  HttpAnswer send(std::string_view method, std::string_view target, std::string body = {},
                  std::string content_type = "application/json",
                  const std::vector<std::pair<std::string, std::string>>& extra_headers = {});

  void set_token(std::string token) { token_ = std::move(token); }

 private:
  struct Connection;
  std::string host_;
  std::string port_;
  std::string token_;
  std::chrono::seconds timeout_;
  std::unique_ptr<Connection> connection_;
};

}  // namespace sangdam
