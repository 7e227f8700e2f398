// A blocking HTTP/1.1 client for the CLI: one connection, keep-alive, every step bounded by a
// timeout. URLs are http://host:port (the CLI talks to a gateway on the operator's network).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sangdam::cli {

struct HttpAnswer {
  unsigned status = 0;
  std::string content_type;
  std::string body;
};

class HttpCall {
 public:
  // server: "http://127.0.0.1:8080". Throws std::runtime_error on a malformed URL.
  HttpCall(std::string_view server, std::string token,
           std::chrono::seconds timeout = std::chrono::seconds(60));
  ~HttpCall();

  // Throws std::runtime_error when the server cannot be reached or the exchange times out.
  HttpAnswer send(std::string_view method, std::string_view target, std::string body = {},
                  std::string content_type = "application/json");

 private:
  struct Connection;
  std::string host_;
  std::string port_;
  std::string token_;
  std::chrono::seconds timeout_;
  std::unique_ptr<Connection> connection_;
};

}  // namespace sangdam::cli
