#include "services/common/service.hpp"

#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdio>
#include <cstdlib>

#include "services/common/log.hpp"
#include "services/common/version.hpp"

namespace sangdam {

namespace asio = boost::asio;

redis::Options redis_options(const Config& config) {
  redis::Options o;
  o.host = config.redis_host;
  o.port = config.redis_port;
  o.password = config.redis_password;
  o.connect_timeout = config.redis_connect_timeout;
  o.command_timeout = config.redis_command_timeout;
  return o;
}

ServiceRuntime::ServiceRuntime(std::string name, int argc, char** argv) : name_(std::move(name)) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--version") {
      std::printf("%s %s\n", name_.c_str(), std::string(kVersion).c_str());
      std::exit(0);
    }
    if (arg == "--help" || arg == "-h") {
      std::printf(
          "usage: %s\n\nA sangdam service. Configuration: config/default.json or the file in\n"
          "SANGDAM_CONFIG; any key can be overridden with SANGDAM_<KEY_PATH> (see README.md).\n",
          name_.c_str());
      std::exit(0);
    }
    std::fprintf(stderr, "%s: unknown argument '%s' (try --help)\n", name_.c_str(), argv[i]);
    std::exit(2);
  }
  try {
    config_ = load_config_from_environment();
    config_.service(name_);
    log::init(name_, log::parse_level(config_.log_level));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", name_.c_str(), e.what());
    std::exit(2);
  }
}

ServiceRuntime::~ServiceRuntime() = default;

bus::Topology ServiceRuntime::topology() const {
  bus::Topology t;
  t.prefix = config_.bus_prefix;
  t.partitions = config_.bus_partitions;
  t.max_len = config_.bus_max_len;
  return t;
}

void ServiceRuntime::consume(std::string topic, bus::Handler handler, std::string stream_override) {
  consumer_specs_.push_back({std::move(topic), std::move(stream_override), std::move(handler)});
}

redis::Client& ServiceRuntime::redis(int worker) {
  return *redis_.at(worker);
}
std::shared_ptr<redis::Client> ServiceRuntime::redis_shared(int worker) {
  return redis_.at(worker);
}

int ServiceRuntime::run() {
  const auto& endpoint = config_.service(name_);
  http::ServerOptions options;
  options.address = endpoint.address;
  options.port = endpoint.port;
  options.threads = endpoint.threads;
  options.service = name_;
  options.metrics = metrics_;
  try {
    server_ = std::make_unique<http::Server>(options, std::move(router_));
    server_->start();
  } catch (const std::exception& e) {
    log::error(
        "cannot start the server",
        {log::field("address", endpoint.address),
         log::field("port", static_cast<long long>(endpoint.port)), log::field("error", e.what())});
    return 1;
  }
  server_->set_ready(false);

  auto ropts = redis_options(config_);
  for (int w = 0; w < server_->workers(); ++w) {
    redis_.push_back(redis::connect(server_->context(w).get_executor(), ropts));
  }

  // Consumers run on worker 0 with their own connection each (blocking reads).
  char host[128] = "host";
  gethostname(host, sizeof host - 1);
  std::string consumer_name = name_ + "-" + host + "-" + std::to_string(getpid());
  auto& ctx0 = server_->context(0);
  for (const auto& spec : consumer_specs_) {
    auto conn = redis::connect(ctx0.get_executor(), ropts);
    bus::ConsumerOptions copts;
    copts.topic = spec.topic;
    if (!spec.stream_override.empty()) copts.streams = {spec.stream_override};
    copts.group = name_;
    copts.consumer = consumer_name;
    copts.batch = config_.bus_batch;
    copts.block = config_.bus_block;
    copts.max_deliveries = config_.bus_max_deliveries;
    copts.claim_idle = config_.bus_claim_idle;
    auto consumer = std::make_shared<bus::Consumer>(conn, topology(), copts);
    consumers_.push_back(consumer);
    consumer_redis_.push_back(conn);
    asio::co_spawn(
        ctx0,
        [consumer, handler = spec.handler, topic = spec.topic]() -> asio::awaitable<void> {
          try {
            co_await consumer->run(handler);
          } catch (const std::exception& e) {
            log::error("bus consumer ended",
                       {log::field("topic", topic), log::field("error", e.what())});
          }
        },
        asio::detached);
  }

  // Readiness follows the Redis connections: checked every 250 ms.
  auto readiness = std::make_shared<asio::steady_timer>(ctx0);
  auto stopping = std::make_shared<bool>(false);
  asio::co_spawn(
      ctx0,
      [this, readiness, stopping]() -> asio::awaitable<void> {
        while (!*stopping) {
          bool ready = true;
          for (auto& r : redis_) ready = ready && r->connected();
          for (auto& r : consumer_redis_) ready = ready && r->connected();
          server_->set_ready(ready);
          readiness->expires_after(std::chrono::milliseconds(250));
          boost::system::error_code ec;
          co_await readiness->async_wait(asio::redirect_error(asio::use_awaitable, ec));
        }
      },
      asio::detached);

  server_->on_shutdown([this, readiness, stopping] {
    *stopping = true;
    for (auto& c : consumers_) c->stop();
    asio::post(server_->context(0), [readiness] { readiness->cancel(); });
  });

  log::info("started",
            {log::field("address", endpoint.address),
             log::field("port", static_cast<long long>(server_->port())),
             log::field("redis", config_.redis_host + ":" + std::to_string(config_.redis_port))});
  http::run_until_signal(*server_);
  for (auto& r : redis_) r->close();
  for (auto& r : consumer_redis_) r->close();
  server_->wait();
  log::info("stopped");
  return 0;
}

}  // namespace sangdam
