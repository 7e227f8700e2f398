// The two halves of the webhooks service: fan_out turns one bus message into one delivery per
// webhook that wants its type (idempotently: the delivery id comes from the message's
// idempotency key), and Deliverer attempts due deliveries, signs them, records every attempt
// and schedules the retries.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <memory>
#include <optional>

#include "matching/webhook/delivery.hpp"
#include "services/common/bus.hpp"
#include "services/common/metrics.hpp"
#include "services/common/redis.hpp"
#include "services/common/webhook_store.hpp"

namespace sangdam::webhooks {

// Bus handler of the topics requests, meetings and outcomes. A message without event or with
// a payload that is not JSON is poison (kUnprocessable / kInvalidArgument: dead-lettered); a
// Redis failure is thrown as is and retried by the bus.
boost::asio::awaitable<void> fan_out(redis::Client& redis, const bus::Delivery& message);

struct DelivererOptions {
  webhook::RetryPolicy retry;
  std::chrono::milliseconds attempt_timeout{5000};  // one POST, resolve to status line
  std::chrono::milliseconds poll{250};              // idle wait between looks at the due set
  std::chrono::milliseconds lease{15000};           // a taken delivery is ours this long
  int max_in_flight = 16;                           // attempts running at once
  bool allow_internal = false;  // deliver to loopback/private/link-local addresses too
  std::optional<webhook::SecretKey> secret_key;  // opens secrets sealed at rest
  std::string ca_file;  // certificates trusted besides the system's (receivers' private CA)
};

class Deliverer {
 public:
  // redis: a connection on the executor that runs run(). Throws kInvalidArgument for bad
  // options (the lease must outlast an attempt, or two senders could overlap).
  // Throws kInvalidArgument for an unreadable ca_file too. Attempts are counted in `metrics`
  // (sangdam_webhook_attempts_total by outcome, and sangdam_webhook_attempt_seconds), which must
  // outlive the deliverer.
  Deliverer(std::shared_ptr<redis::Client> redis, DelivererOptions options,
            metrics::Registry& metrics);

  // Takes due deliveries and attempts them until stop(); then waits for the attempts under way
  // (each bounded by attempt_timeout) and returns.
  boost::asio::awaitable<void> run();
  // Call on run()'s executor.
  void stop();

 private:
  boost::asio::awaitable<void> attempt(webhook_store::Due due);
  boost::asio::awaitable<void> pause(std::chrono::milliseconds how_long);

  std::shared_ptr<redis::Client> redis_;
  DelivererOptions options_;
  std::unique_ptr<boost::asio::ssl::context> tls_;  // used on run()'s thread only
  metrics::Counter& delivered_;                     // attempts by outcome
  metrics::Counter& retried_;
  metrics::Counter& failed_;
  metrics::Histogram& attempt_seconds_;
  int in_flight_ = 0;
  bool stopping_ = false;
  std::optional<boost::asio::steady_timer> idle_;  // the pause under way, so stop() can end it
};

}  // namespace sangdam::webhooks
