#include "services/common/http_call.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <stdexcept>

namespace sangdam {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

struct HttpCall::Connection {
  asio::io_context io;
  beast::tcp_stream stream{io};
  beast::flat_buffer buffer;
  bool open = false;
};

HttpCall::HttpCall(std::string_view server, std::string token, std::chrono::seconds timeout)
    : token_(std::move(token)), timeout_(timeout), connection_(std::make_unique<Connection>()) {
  constexpr std::string_view kScheme = "http://";
  if (server.substr(0, kScheme.size()) != kScheme) {
    throw std::runtime_error("server must be http://HOST:PORT (got '" + std::string(server) + "')");
  }
  std::string_view rest = server.substr(kScheme.size());
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  auto colon = rest.rfind(':');
  host_ = std::string(colon == std::string_view::npos ? rest : rest.substr(0, colon));
  port_ = colon == std::string_view::npos ? "80" : std::string(rest.substr(colon + 1));
  if (host_.empty() || port_.empty()) throw std::runtime_error("server must be http://HOST:PORT");
}

HttpCall::~HttpCall() = default;

std::string HttpAnswer::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (beast::iequals(key, name)) return value;
  }
  return {};
}

HttpAnswer HttpCall::send(std::string_view method, std::string_view target, std::string body,
                          std::string content_type,
                          const std::vector<std::pair<std::string, std::string>>& extra_headers) {
  auto& c = *connection_;
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool reused = c.open;
    try {
      if (!c.open) {
        asio::ip::tcp::resolver resolver(c.io);
        c.stream.expires_after(timeout_);
        c.stream.connect(resolver.resolve(host_, port_));
        c.open = true;
      }
      http::request<http::string_body> req{http::string_to_verb(method), std::string(target), 11};
      req.set(http::field::host, host_);
      req.set(http::field::user_agent, "sangdam-cli");
      if (!token_.empty()) req.set(http::field::authorization, "Bearer " + token_);
      if (!body.empty()) req.set(http::field::content_type, content_type);
      for (const auto& [name, value] : extra_headers) req.set(name, value);
      req.body() = body;
      req.keep_alive(true);
      req.prepare_payload();
      c.stream.expires_after(timeout_);
      http::write(c.stream, req);
      http::response_parser<http::string_body> parser;
      parser.body_limit(64 * 1024 * 1024);
      http::read(c.stream, c.buffer, parser);
      auto& res = parser.get();
      HttpAnswer answer{
          res.result_int(), std::string(res[http::field::content_type]), std::move(res.body()), {}};
      for (const auto& field : res) {
        answer.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
      }
      if (!res.keep_alive()) {
        beast::error_code ec;
        c.stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
        c.stream.close();
        c.open = false;
      }
      return answer;
    } catch (const std::exception& e) {
      // A keep-alive connection the server closed meanwhile: reconnect once. A fresh
      // connection that fails is not retried (the request may have been applied).
      c.stream.close();
      c.open = false;
      c.buffer.clear();
      if (!reused || attempt == 1) {
        throw std::runtime_error("cannot reach http://" + host_ + ":" + port_ + ": " + e.what());
      }
    }
  }
  throw std::runtime_error("unreachable");
}

}  // namespace sangdam
