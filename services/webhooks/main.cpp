// webhooks: turns bus messages into signed HTTP deliveries to the organizers' URLs, with
// retries. See README.md.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <exception>
#include <thread>

#include "services/common/log.hpp"
#include "services/common/service.hpp"
#include "services/webhooks/deliverer.hpp"

int main(int argc, char** argv) {
  using namespace sangdam;
  namespace asio = boost::asio;
  ServiceRuntime runtime("webhooks", argc, argv);
  const auto& config = runtime.config();

  webhooks::DelivererOptions options;
  options.retry = {config.webhooks_backoff_base, config.webhooks_backoff_cap,
                   config.webhooks_max_attempts};
  options.attempt_timeout = config.webhooks_attempt_timeout;
  options.poll = config.webhooks_poll;
  options.max_in_flight = config.webhooks_max_in_flight;
  options.allow_internal = config.webhooks_allow_internal;
  options.secret_key = config.webhooks_secret_key;
  options.ca_file = config.webhooks_ca_file;
  // A taken delivery stays ours for two attempts' time and a margin: long enough that no other
  // instance starts it while we wait for an answer, short enough that a crash delays it little.
  options.lease = 2 * config.webhooks_attempt_timeout + std::chrono::seconds(5);

  // The sender runs on its own thread and io_context, with its own Redis connection, so slow
  // receivers never hold up the bus consumers or the health endpoints.
  asio::io_context sender_io;
  std::unique_ptr<webhooks::Deliverer> deliverer;
  auto sender_redis = redis::connect(sender_io.get_executor(), redis_options(config));
  try {
    deliverer = std::make_unique<webhooks::Deliverer>(sender_redis, options, runtime.metrics());
  } catch (const std::exception& e) {
    log::error("bad webhooks configuration", {log::field("error", e.what())});
    return 2;
  }
  // However run() ends, the connection closes, so sender_io runs out of work and the thread
  // can be joined.
  asio::co_spawn(sender_io, deliverer->run(), [sender_redis](std::exception_ptr failure) {
    sender_redis->close();
    if (!failure) return;
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      log::error("webhook sender ended", {log::field("error", e.what())});
    }
  });
  std::thread sender([&sender_io] { sender_io.run(); });

  auto handler = [&runtime](const bus::Delivery& message) {
    return webhooks::fan_out(runtime.redis(0), message);
  };
  for (const char* topic : {"requests", "meetings", "outcomes"}) runtime.consume(topic, handler);
  int code = runtime.run();

  asio::post(sender_io, [&deliverer] { deliverer->stop(); });
  sender.join();
  return code;
}
