#include "services/webhooks/deliverer.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>

#include "matching/error.hpp"
#include "matching/webhook/signature.hpp"
#include "services/common/log.hpp"
#include "services/webhooks/sender.hpp"

namespace sangdam::webhooks {

namespace asio = boost::asio;
using webhook_store::Status;

namespace {

long long now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string now_seconds_text() {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count());
}

}  // namespace

asio::awaitable<void> fan_out(redis::Client& redis, const bus::Delivery& message) {
  const auto& env = message.envelope;
  if (env.event_id.empty()) {
    throw Error(ErrorCode::kUnprocessable, "missing_event", "message names no event", "event");
  }
  if (!webhook::is_known_type(env.type)) co_return;  // internal jobs (schedule.run) stay inside
  auto hooks = co_await webhook_store::list(redis, env.event_id);
  for (const auto& hook : hooks) {
    if (!webhook::wants(hook.types, env.type)) continue;
    webhook_store::Delivery d;
    d.id = webhook::delivery_id(env.idempotency_key, hook.id);
    d.event_id = env.event_id;
    d.webhook_id = hook.id;
    d.type = env.type;
    d.body = webhook::delivery_body(d.id, env.type, env.event_id, env.time, env.payload);
    d.created_at = bus::utc_now_rfc3339();
    d.next_attempt_ms = now_ms();
    bool created = co_await webhook_store::add(redis, d, d.next_attempt_ms);
    log::debug(created ? "webhook delivery queued" : "webhook delivery exists already",
               {log::field("event", env.event_id), log::field("webhook", hook.id),
                log::field("delivery", d.id), log::field("type", env.type)});
  }
}

namespace {

metrics::Counter& attempts_with(metrics::Registry& metrics, std::string outcome) {
  return metrics.counter("sangdam_webhook_attempts_total", {{"outcome", std::move(outcome)}},
                         "Webhook delivery attempts by outcome (delivered, retry, failed)");
}

}  // namespace

Deliverer::Deliverer(std::shared_ptr<redis::Client> redis, DelivererOptions options,
                     metrics::Registry& metrics)
    : redis_(std::move(redis)),
      options_(options),
      tls_(tls_client(options_.ca_file)),
      delivered_(attempts_with(metrics, "delivered")),
      retried_(attempts_with(metrics, "retry")),
      failed_(attempts_with(metrics, "failed")),
      attempt_seconds_(metrics.histogram("sangdam_webhook_attempt_seconds", {},
                                         metrics::latency_buckets(),
                                         "Time of one webhook POST, to the status line")) {
  webhook::check(options_.retry);
  if (options_.max_in_flight < 1 || options_.poll.count() < 1 ||
      options_.lease <= options_.attempt_timeout) {
    throw_invalid("invalid_deliverer_options",
                  "need max_in_flight >= 1, poll >= 1 ms and lease > attempt_timeout");
  }
}

void Deliverer::stop() {
  stopping_ = true;
  if (idle_) idle_->cancel();
}

asio::awaitable<void> Deliverer::pause(std::chrono::milliseconds how_long) {
  idle_.emplace(co_await asio::this_coro::executor, how_long);
  boost::system::error_code ec;
  co_await idle_->async_wait(asio::redirect_error(asio::use_awaitable, ec));
  idle_.reset();
}

asio::awaitable<void> Deliverer::run() {
  auto executor = co_await asio::this_coro::executor;
  while (!stopping_) {
    int room = options_.max_in_flight - in_flight_;
    std::vector<webhook_store::Due> due;
    bool redis_failed = false;
    if (room > 0) {
      try {
        due = co_await webhook_store::take_due(*redis_, now_ms(), options_.lease, room);
      } catch (const std::exception& e) {
        log::warn("cannot take due webhook deliveries", {log::field("error", e.what())});
        redis_failed = true;
      }
    }
    for (auto& d : due) {
      ++in_flight_;
      asio::co_spawn(executor, attempt(std::move(d)), [this](std::exception_ptr failure) {
        --in_flight_;
        if (!failure) return;
        // The lease runs out and the delivery is attempted again: at least once, never lost.
        try {
          std::rethrow_exception(failure);
        } catch (const std::exception& e) {
          log::warn("webhook attempt not recorded", {log::field("error", e.what())});
        }
      });
    }
    // A full batch suggests more is due: look again at once. Otherwise wait for the next poll.
    if (redis_failed || room <= 0 || static_cast<int>(due.size()) < room) {
      co_await pause(options_.poll);
    }
  }
  while (in_flight_ > 0) co_await pause(options_.poll);
  redis_->close();
}

asio::awaitable<void> Deliverer::attempt(webhook_store::Due due) {
  auto& redis = *redis_;
  auto record = co_await webhook_store::load(redis, due.event_id, due.delivery_id);
  if (!record || record->status != Status::kPending) {
    co_await webhook_store::forget_due(redis, due);
    co_return;
  }
  auto hook = co_await webhook_store::find(redis, due.event_id, record->webhook_id);
  webhook_store::Delivery d = std::move(*record);
  d.attempts += 1;
  d.last_attempt_at = bus::utc_now_rfc3339();
  // A secret sealed with another key (or with none configured here) cannot sign: the attempt
  // fails and is retried, so that fixing webhooks.secret_key in time still delivers.
  const std::optional<std::string> secret =
      hook ? webhook_store::signing_secret(*hook, options_.secret_key) : std::nullopt;
  Attempt sent;
  if (hook && !secret) {
    sent.error = "secret_unreadable";
  } else if (hook) {
    auto url = webhook::parse_url(hook->url);  // checked at registration
    std::string timestamp = now_seconds_text();
    Headers headers{
        {std::string(webhook::kSignatureHeader), webhook::sign(*secret, timestamp, d.body)},
        {std::string(webhook::kTimestampHeader), timestamp},
        {std::string(webhook::kDeliveryHeader), d.id},
        {"X-Sangdam-Event-Type", d.type},
        {"X-Sangdam-Attempt", std::to_string(d.attempts)}};
    const auto started = std::chrono::steady_clock::now();
    sent = co_await post(url, d.body, headers, options_.attempt_timeout, *tls_,
                         options_.allow_internal);
    attempt_seconds_.observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }
  d.last_status = sent.status;
  std::optional<std::chrono::milliseconds> retry_in;
  if (!hook) {
    d.status = Status::kFailed;  // nobody to deliver to any more
    d.last_error = "webhook_deleted";
  } else if (webhook::is_success(sent.status)) {
    d.status = Status::kDelivered;
    d.last_error.clear();
    d.delivered_at = bus::utc_now_rfc3339();
  } else {
    d.last_error = sent.error.empty() ? "HTTP " + std::to_string(sent.status) : sent.error;
    retry_in = webhook::retry_delay(options_.retry, d.attempts);
    d.status = retry_in ? Status::kPending : Status::kFailed;
    if (retry_in) d.next_attempt_ms = now_ms() + retry_in->count();
  }
  co_await webhook_store::record_attempt(redis, d);
  (d.status == Status::kDelivered ? delivered_
   : d.status == Status::kPending ? retried_
                                  : failed_)
      .inc();
  auto level = d.status == Status::kDelivered ? log::Level::kInfo : log::Level::kWarn;
  log::write(level, "webhook attempt",
             {log::field("event", d.event_id), log::field("webhook", d.webhook_id),
              log::field("delivery", d.id), log::field("type", d.type),
              log::field("attempt", static_cast<long long>(d.attempts)),
              log::field("http_status", static_cast<long long>(d.last_status)),
              log::field("error", d.last_error),
              log::field("outcome", std::string(webhook_store::status_name(d.status))),
              log::field("retry_in_ms", static_cast<long long>(retry_in ? retry_in->count() : 0))});
}

}  // namespace sangdam::webhooks
