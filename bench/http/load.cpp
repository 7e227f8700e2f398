#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <cstdio>
#include <memory>

#include "bench/http/bench_http.hpp"

namespace sangdam::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

struct Totals {
  std::vector<double> latencies_ms;
  std::size_t errors = 0;
};

asio::awaitable<void> one_connection(unsigned short port, std::string target, Clock::time_point end,
                                     Totals& totals) {
  auto executor = co_await asio::this_coro::executor;
  beast::tcp_stream stream(executor);
  boost::system::error_code ec;
  co_await stream.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                                asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    ++totals.errors;
    co_return;
  }
  stream.socket().set_option(tcp::no_delay(true));
  bhttp::request<bhttp::empty_body> request{bhttp::verb::get, target, 11};
  request.set(bhttp::field::host, "127.0.0.1");
  beast::flat_buffer buffer;
  while (Clock::now() < end) {
    auto start = Clock::now();
    co_await bhttp::async_write(stream, request, asio::redirect_error(asio::use_awaitable, ec));
    bhttp::response<bhttp::string_body> response;
    if (!ec) {
      co_await bhttp::async_read(stream, buffer, response,
                                 asio::redirect_error(asio::use_awaitable, ec));
    }
    if (ec || response.result_int() != 200) {
      ++totals.errors;
      co_return;
    }
    totals.latencies_ms.push_back(
        std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
}

double percentile(std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  auto index = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1));
  return sorted[index];
}

}  // namespace

LoadResult run_load(unsigned short port, const std::string& target, int connections,
                    std::chrono::milliseconds duration) {
  asio::io_context context{1};
  Totals totals;
  auto start = Clock::now();
  auto end = start + duration;
  for (int i = 0; i < connections; ++i) {
    asio::co_spawn(context, one_connection(port, target, end, totals), asio::detached);
  }
  context.run();
  LoadResult result;
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  result.requests = totals.latencies_ms.size();
  result.errors = totals.errors;
  std::sort(totals.latencies_ms.begin(), totals.latencies_ms.end());
  result.p50_ms = percentile(totals.latencies_ms, 0.50);
  result.p99_ms = percentile(totals.latencies_ms, 0.99);
  return result;
}

double run_wrk(unsigned short port, const std::string& target, int connections,
               std::chrono::seconds duration) {
  if (std::system("command -v wrk > /dev/null 2>&1") != 0) return -1;
  std::string command = "wrk -t1 -c" + std::to_string(connections) + " -d" +
                        std::to_string(duration.count()) +
                        "s http://127.0.0.1:" + std::to_string(port) + target + " 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) return -1;
  char line[512];
  double rps = -1;
  while (std::fgets(line, sizeof line, pipe.get())) {
    double value = 0;
    if (std::sscanf(line, "Requests/sec: %lf", &value) == 1) rps = value;
  }
  return rps;
}

}  // namespace sangdam::bench
