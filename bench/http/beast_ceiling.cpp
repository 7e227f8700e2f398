#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <thread>

#include "bench/http/bench_http.hpp"

namespace sangdam::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

struct BeastCeiling::State {
  asio::io_context context{1};
  tcp::acceptor acceptor{context};
  std::thread thread;
};

namespace {

asio::awaitable<void> serve(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  boost::system::error_code ec;
  while (true) {
    bhttp::request<bhttp::string_body> request;
    co_await bhttp::async_read(stream, buffer, request,
                               asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
    bhttp::response<bhttp::string_body> response{bhttp::status::ok, request.version()};
    response.set(bhttp::field::content_type, "application/json");
    response.body() = R"({"ok":true})";
    response.keep_alive(request.keep_alive());
    response.prepare_payload();
    co_await bhttp::async_write(stream, response, asio::redirect_error(asio::use_awaitable, ec));
    if (ec || !response.keep_alive()) break;
  }
}

asio::awaitable<void> accept(tcp::acceptor& acceptor) {
  boost::system::error_code ec;
  while (true) {
    auto socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
    socket.set_option(tcp::no_delay(true));
    asio::co_spawn(acceptor.get_executor(), serve(std::move(socket)), asio::detached);
  }
}

}  // namespace

BeastCeiling::BeastCeiling() : state_(new State) {
  tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  state_->acceptor.open(endpoint.protocol());
  state_->acceptor.bind(endpoint);
  state_->acceptor.listen();
  port_ = state_->acceptor.local_endpoint().port();
  asio::co_spawn(state_->context, accept(state_->acceptor), asio::detached);
  state_->thread = std::thread([this] { state_->context.run(); });
}

BeastCeiling::~BeastCeiling() {
  state_->context.stop();
  state_->thread.join();
  delete state_;
}

}  // namespace sangdam::bench
