// What every sangdam service main does, in one place: load and validate the configuration,
// start logging, serve /healthz, /readyz and /metrics (plus the service's own routes) on its
// port, connect to Redis (one pipelined connection per io_context, one more per bus consumer
// for blocking reads), run its bus consumers, and shut down in two phases on SIGINT/SIGTERM:
// readiness fails and the acceptor closes, in-flight requests finish, consumers stop after
// their batch, connections close, the process exits.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "services/common/bus.hpp"
#include "services/common/config.hpp"
#include "services/common/http.hpp"
#include "services/common/redis.hpp"

namespace sangdam {

class ServiceRuntime {
 public:
  // Loads the configuration (exits with status 2 and a message naming the bad key if it is
  // invalid). Handles --help and --version.
  ServiceRuntime(std::string name, int argc, char** argv);
  ~ServiceRuntime();

  const Config& config() const { return config_; }
  const std::string& name() const { return name_; }
  http::Router& router() { return router_; }
  // The service's metrics registry, rendered at /metrics with the server's own series: a
  // service registers its series here at any time (before run() too).
  metrics::Registry& metrics() { return *metrics_; }
  bus::Topology topology() const;

  // Registers a bus consumer, started by run(). stream_override names a raw stream (the
  // intake stream written by registration systems) instead of a bus topic.
  void consume(std::string topic, bus::Handler handler, std::string stream_override = {});

  // The pipelined connection of the io_context serving the caller (valid after start()).
  redis::Client& redis(int worker);
  std::shared_ptr<redis::Client> redis_shared(int worker);

  // Starts the server, the Redis connections and the consumers; blocks until a signal, then
  // shuts down. Returns the process exit code.
  int run();

 private:
  struct ConsumerSpec {
    std::string topic;
    std::string stream_override;
    bus::Handler handler;
  };

  std::string name_;
  Config config_;
  http::Router router_;
  std::shared_ptr<metrics::Registry> metrics_ = std::make_shared<metrics::Registry>();
  std::unique_ptr<http::Server> server_;
  std::vector<std::shared_ptr<redis::Client>> redis_;  // one per worker
  std::vector<ConsumerSpec> consumer_specs_;
  std::vector<std::shared_ptr<bus::Consumer>> consumers_;
  std::vector<std::shared_ptr<redis::Client>> consumer_redis_;
};

// Options for the Redis client from the configuration.
redis::Options redis_options(const Config& config);

}  // namespace sangdam
