#include "services/webhooks/sender.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <openssl/err.h>

#include <algorithm>
#include <exception>
#include <memory>
#include <stdexcept>

#include "matching/error.hpp"
#include "services/common/version.hpp"

namespace sangdam::webhooks {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kAnswerHeaderLimit = 16 * 1024;  // only the status line matters

std::chrono::milliseconds left(Clock::time_point deadline) {
  auto rest = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return std::max(rest, std::chrono::milliseconds(1));
}

http::request<http::string_body> make_request(const webhook::Url& url, const std::string& body,
                                              const Headers& headers) {
  http::request<http::string_body> req{http::verb::post, url.target, 11};
  bool default_port =
      (url.scheme == "http" && url.port == "80") || (url.scheme == "https" && url.port == "443");
  std::string host = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  req.set(http::field::host, default_port ? host : host + ":" + url.port);
  req.set(http::field::user_agent, "sangdam-webhooks/" + std::string(kVersion));
  req.set(http::field::content_type, "application/json");
  for (const auto& [name, value] : headers) req.set(name, value);
  req.keep_alive(false);  // one attempt, one connection: nothing to reuse it for
  req.body() = body;
  req.prepare_payload();
  return req;
}

asio::awaitable<tcp::resolver::results_type> resolve(const webhook::Url& url,
                                                     Clock::time_point deadline) {
  using namespace asio::experimental::awaitable_operators;
  auto executor = co_await asio::this_coro::executor;
  tcp::resolver resolver(executor);
  asio::steady_timer timer(executor, left(deadline));
  auto first = co_await (resolver.async_resolve(url.host, url.port, asio::use_awaitable) ||
                         timer.async_wait(asio::use_awaitable));
  if (first.index() == 1) throw boost::system::system_error(beast::error::timeout);
  co_return std::get<0>(std::move(first));
}

// Writes the request and reads the answer's header, each step bounded by the deadline.
template <class Stream>
asio::awaitable<unsigned> exchange(Stream& stream, http::request<http::string_body>& req,
                                   Clock::time_point deadline) {
  beast::get_lowest_layer(stream).expires_after(left(deadline));
  co_await http::async_write(stream, req, asio::use_awaitable);
  beast::flat_buffer buffer;
  http::response_parser<http::empty_body> parser;
  parser.header_limit(kAnswerHeaderLimit);
  beast::get_lowest_layer(stream).expires_after(left(deadline));
  co_await http::async_read_header(stream, buffer, parser, asio::use_awaitable);
  co_return parser.get().result_int();
}

asio::awaitable<unsigned> send(const webhook::Url& url, const std::string& body,
                               const Headers& headers, Clock::time_point deadline,
                               ssl::context& tls, bool allow_internal) {
  auto req = make_request(url, body, headers);
  auto endpoints = co_await resolve(url, deadline);
  // Checked on what the name resolves to now, so DNS cannot point a registered name inward.
  for (const auto& entry : endpoints) {
    const std::string address = entry.endpoint().address().to_string();
    if (!allow_internal && webhook::is_internal_address(address)) {
      throw std::runtime_error("refused: " + url.host + " resolves to the internal address " +
                               address + " (webhooks.allow_internal_addresses is off)");
    }
  }
  auto executor = co_await asio::this_coro::executor;
  if (url.scheme == "https") {
    beast::ssl_stream<beast::tcp_stream> stream(executor, tls);
    if (!SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str())) {
      throw boost::system::system_error(boost::system::error_code(
          static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category()));
    }
    stream.set_verify_callback(ssl::host_name_verification(url.host));
    beast::get_lowest_layer(stream).expires_after(left(deadline));
    co_await beast::get_lowest_layer(stream).async_connect(endpoints, asio::use_awaitable);
    co_await stream.async_handshake(ssl::stream_base::client, asio::use_awaitable);
    // No TLS shutdown afterwards: the status is all we wanted, closing the socket is enough.
    co_return co_await exchange(stream, req, deadline);
  }
  beast::tcp_stream stream(executor);
  stream.expires_after(left(deadline));
  co_await stream.async_connect(endpoints, asio::use_awaitable);
  co_return co_await exchange(stream, req, deadline);
}

}  // namespace

std::unique_ptr<ssl::context> tls_client(const std::string& ca_file) {
  auto context = std::make_unique<ssl::context>(ssl::context::tls_client);
  context->set_default_verify_paths();
  context->set_verify_mode(ssl::verify_peer);
  if (!ca_file.empty()) {
    boost::system::error_code failed;
    context->load_verify_file(ca_file, failed);
    if (failed) {
      throw_invalid(
          "invalid_ca_file",
          "webhooks.ca_file: cannot read certificates from " + ca_file + ": " + failed.message(),
          "webhooks.ca_file");
    }
  }
  return context;
}

asio::awaitable<Attempt> post(const webhook::Url& url, const std::string& body,
                              const Headers& headers, std::chrono::milliseconds timeout,
                              ssl::context& tls, bool allow_internal) {
  Attempt attempt;
  auto deadline = Clock::now() + timeout;
  try {
    attempt.status = co_await send(url, body, headers, deadline, tls, allow_internal);
  } catch (const boost::system::system_error& e) {
    attempt.error = e.code() == beast::error::timeout
                        ? "no answer within " + std::to_string(timeout.count()) + " ms"
                        : e.code().message();
  } catch (const std::exception& e) {
    attempt.error = e.what();
  }
  co_return attempt;
}

}  // namespace sangdam::webhooks
