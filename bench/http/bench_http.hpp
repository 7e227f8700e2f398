// Pieces of bench_http: a bare Beast server (the ceiling), and a keep-alive load generator.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace sangdam::bench {

// A minimal Beast HTTP server with no router, metrics or error model: one io_context on one
// thread, one coroutine per connection, the same fixed JSON reply for every request.
class BeastCeiling {
 public:
  BeastCeiling();
  ~BeastCeiling();
  unsigned short port() const { return port_; }

 private:
  struct State;
  State* state_;
  unsigned short port_ = 0;
};

struct LoadResult {
  double seconds = 0;
  std::size_t requests = 0;
  std::size_t errors = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  double rps() const { return seconds > 0 ? static_cast<double>(requests) / seconds : 0; }
};

// `connections` keep-alive connections on one client thread, each sending GET target and
// waiting for the reply, for `duration`.
LoadResult run_load(unsigned short port, const std::string& target, int connections,
                    std::chrono::milliseconds duration);

// Requests/s reported by wrk (-t1) against the target, or a negative value when wrk is absent.
double run_wrk(unsigned short port, const std::string& target, int connections,
               std::chrono::seconds duration);

}  // namespace sangdam::bench
