// Webhook registrations and their deliveries in Redis, shared by the gateway (registration,
// the delivery log) and the webhooks service (fan-out from the bus, attempts). Keys: keys.hpp;
// the life of a delivery: services/webhooks/README.md.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "matching/webhook/delivery.hpp"
#include "matching/webhook/secret_box.hpp"
#include "services/common/redis.hpp"

namespace sangdam::webhook_store {

namespace asio = boost::asio;

struct Webhook {
  std::string id;  // "wh_<hex>"
  std::string event_id;
  std::string url;
  std::vector<std::string> types;  // known bus types or {"*"}
  std::string description;
  // Signs deliveries. As read back: sealed (secret_box.hpp) when a key was configured at
  // registration, else as is; signing_secret() gives the secret itself.
  std::string secret;
  std::string created_at;
};

// The secret that signs the webhook's deliveries: opened with key when stored sealed; nullopt
// when it was sealed and the key is missing or another one.
std::optional<std::string> signing_secret(const Webhook& webhook,
                                          const std::optional<webhook::SecretKey>& key);

// {"id","event_id","url","types","description","created_at"} plus "secret" when with_secret
// (only the 201 answer of a registration shows it).
std::string to_json(const Webhook& webhook, bool with_secret);

// Stores a new webhook with a fresh id and secret (sealed at rest when a key is given; the
// returned webhook holds the secret itself, to be shown once). At most max_per_event per
// event, checked and written in one Lua step: over it -> Error(kConflict,
// "webhook_limit_reached").
asio::awaitable<Webhook> create(redis::Client& redis, const std::string& event_id,
                                const webhook::Registration& registration,
                                std::size_t max_per_event,
                                const std::optional<webhook::SecretKey>& key = std::nullopt);
asio::awaitable<std::vector<Webhook>> list(redis::Client& redis, const std::string& event_id);
// Throws Error(kNotFound, "webhook_not_found").
asio::awaitable<Webhook> get(redis::Client& redis, const std::string& event_id,
                             const std::string& webhook_id);
asio::awaitable<std::optional<Webhook>> find(redis::Client& redis, const std::string& event_id,
                                             const std::string& webhook_id);
// Throws Error(kNotFound, "webhook_not_found"). Pending deliveries of it fail at their next
// attempt ("webhook_deleted"); the log stays until its entries expire.
asio::awaitable<void> remove(redis::Client& redis, const std::string& event_id,
                             const std::string& webhook_id);

enum class Status { kPending, kDelivered, kFailed };
std::string_view status_name(Status status);

struct Delivery {
  std::string id;  // webhook::delivery_id(bus key, webhook id)
  std::string event_id;
  std::string webhook_id;
  std::string type;  // the bus message type
  std::string body;  // the exact bytes every attempt POSTs
  Status status = Status::kPending;
  int attempts = 0;
  unsigned last_status = 0;       // HTTP status of the last attempt, 0 when none came back
  std::string last_error;         // why the last attempt failed, empty after a success
  long long next_attempt_ms = 0;  // Unix ms when pending
  std::string created_at;
  std::string last_attempt_at;
  std::string delivered_at;
};

// The delivery log entry: everything but the body.
std::string to_json(const Delivery& delivery);

// How long a delivery and its log entry are kept.
inline constexpr std::chrono::hours kDeliveryTtl{24 * 30};
// How many deliveries a webhook's log lists (older ids are trimmed from it).
inline constexpr long long kDeliveryLogLength = 1000;

// Creates the delivery unless one with its id exists, and queues it on the due set. Returns
// true when it was new. A redelivered bus message finds the delivery and queues nothing more,
// unless it is still pending and lost its place on the due set (a crash between the two
// writes): then it is queued again, which sends at most a repeat of the same delivery id.
asio::awaitable<bool> add(redis::Client& redis, const Delivery& delivery, long long now_ms);

// Newest first, from offset; total is the log's length.
struct LogPage {
  std::vector<Delivery> deliveries;
  long long total = 0;
};
asio::awaitable<LogPage> log(redis::Client& redis, const std::string& event_id,
                             const std::string& webhook_id, long long offset, long long limit);

// A due delivery taken off the due set: its score moved to now + lease, so that no other
// sender takes it while this one tries (and a crashed sender's delivery comes back after the
// lease).
struct Due {
  std::string event_id;
  std::string delivery_id;
};
asio::awaitable<std::vector<Due>> take_due(redis::Client& redis, long long now_ms,
                                           std::chrono::milliseconds lease, int max_count);

asio::awaitable<std::optional<Delivery>> load(redis::Client& redis, const std::string& event_id,
                                              const std::string& delivery_id);
// Writes the attempt's outcome to the record, then either re-queues the delivery at
// delivery.next_attempt_ms (pending) or drops it from the due set (delivered or failed).
asio::awaitable<void> record_attempt(redis::Client& redis, const Delivery& delivery);
// Drops a due entry whose record is gone or no longer pending.
asio::awaitable<void> forget_due(redis::Client& redis, const Due& due);

}  // namespace sangdam::webhook_store
