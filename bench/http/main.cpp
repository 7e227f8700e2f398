// bench_http: requests/s and latency of a trivial route on sangdam's HTTP server, beside a
// bare Beast server (the ceiling) under the same load, from our own keep-alive load
// generator and, when installed, from wrk. Both servers get one thread; the load generator
// gets another, which is all a 2-core machine has.
//   bench_http [--quick] [--connections N] [--seconds S]
#include <cstdio>
#include <cstring>
#include <string>

#include "bench/http/bench_http.hpp"
#include "services/common/http.hpp"
#include "services/common/log.hpp"

namespace {

using namespace sangdam;

struct Settings {
  int connections = 32;
  int seconds = 10;  // per measurement
};

Settings parse(int argc, char** argv) {
  Settings settings;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--quick") {
      settings.seconds = 2;
      settings.connections = 16;
    } else if (arg == "--connections" && i + 1 < argc) {
      settings.connections = std::stoi(argv[++i]);
    } else if (arg == "--seconds" && i + 1 < argc) {
      settings.seconds = std::stoi(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: bench_http [--quick] [--connections N] [--seconds S]\n");
      std::exit(2);
    }
  }
  return settings;
}

void print(const char* label, const bench::LoadResult& r) {
  std::printf("%-28s %10.0f req/s  p50 %6.3f ms  p99 %6.3f ms  (%zu requests, %zu errors)\n", label,
              r.rps(), r.p50_ms, r.p99_ms, r.requests, r.errors);
}

}  // namespace

int main(int argc, char** argv) {
  Settings settings = parse(argc, argv);
  log::init("bench_http", log::Level::kWarn);
  const std::string target = "/v1/ping";

  http::Router router;
  router.add(boost::beast::http::verb::get, target,
             [](http::Request&) -> boost::asio::awaitable<http::Response> {
               co_return http::Response::json(200, R"({"ok":true})");
             });
  http::ServerOptions options;
  options.port = 0;
  options.threads = 1;
  options.service = "bench";
  http::Server server(options, std::move(router));
  server.start();
  bench::BeastCeiling ceiling;

  std::printf("bench_http: %d connections, %d s per run, 1 server thread, 1 load thread\n",
              settings.connections, settings.seconds);
  auto duration = std::chrono::seconds(settings.seconds);
  // A short warm-up so that neither side pays for first-touch page faults in the figures.
  bench::run_load(server.port(), target, settings.connections, std::chrono::milliseconds(300));
  bench::run_load(ceiling.port(), target, settings.connections, std::chrono::milliseconds(300));
  auto ours = bench::run_load(server.port(), target, settings.connections, duration);
  auto bare = bench::run_load(ceiling.port(), target, settings.connections, duration);
  print("sangdam server (own load)", ours);
  print("bare Beast ceiling (own load)", bare);
  double ratio = bare.rps() > 0 ? ours.rps() / bare.rps() : 0;
  std::printf("ratio sangdam/ceiling (own load): %.2f\n", ratio);

  double wrk_ours = bench::run_wrk(server.port(), target, settings.connections, duration);
  double wrk_bare =
      wrk_ours < 0 ? -1 : bench::run_wrk(ceiling.port(), target, settings.connections, duration);
  std::string wrk_summary = "wrk not installed";
  if (wrk_ours >= 0 && wrk_bare > 0) {
    std::printf("wrk -t1 -c%d: sangdam %.0f req/s, ceiling %.0f req/s, ratio %.2f\n",
                settings.connections, wrk_ours, wrk_bare, wrk_ours / wrk_bare);
    char buf[128];
    std::snprintf(buf, sizeof buf, "wrk %.0f vs %.0f req/s (%.2f)", wrk_ours, wrk_bare,
                  wrk_ours / wrk_bare);
    wrk_summary = buf;
  }
  server.shutdown();
  server.wait();
  bool ok = ours.errors == 0 && bare.errors == 0 && ours.requests > 0;
  std::printf(
      "SUMMARY http: %.0f req/s p50 %.3f ms p99 %.3f ms = %.2fx of bare Beast (%.0f req/s); %s%s\n",
      ours.rps(), ours.p50_ms, ours.p99_ms, ratio, bare.rps(), wrk_summary.c_str(),
      ok ? "" : "; ERRORS");
  return ok ? 0 : 1;
}
