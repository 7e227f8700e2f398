// The event bus on Redis Streams: publishing envelopes, consumer groups with at-least-once
// delivery, reclaiming stuck work (XAUTOCLAIM), dead-lettering, and idempotent effects.
// Semantics and key names: services/common/README-redis.md.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "services/common/redis.hpp"

namespace sangdam::bus {

// What every message carries; these are the fields of the stream entry:
//   type, schema, event, key (idempotency key), time, payload
// When reading, "idempotency_key" is accepted for "key" (the intake stream's field name).
struct Envelope {
  std::string type;             // "profile.changed", "meeting.placed", ...
  int schema = 1;               // schema version
  std::string event_id;         // the trade event (also selects the partition)
  std::string idempotency_key;  // unique per logical message
  std::string time;             // RFC 3339 UTC, set by publish if empty
  std::string payload;          // JSON text
};

struct Delivery {
  std::string stream;
  std::string id;
  Envelope envelope;
  long long deliveries = 1;  // 1 on first delivery; the group's delivery count on redelivery
};

struct Topology {
  std::string prefix = "sangdam";
  int partitions = 1;
  long long max_len = 100000;  // MAXLEN ~ bound of every stream (approximate: whole nodes)
};

// "<prefix>:<topic>:<partition>", partition = FNV-1a-64(event_id bytes) % partitions.
// Throws kInvalidArgument for an empty topic or partitions < 1.
std::string stream_for(const Topology& topology, std::string_view topic, std::string_view event_id);
// Every partition's stream of a topic, in partition order.
std::vector<std::string> streams_of(const Topology& topology, std::string_view topic);

// XADD <stream> MAXLEN ~ <max_len> * type .. schema .. event .. key .. time .. payload ..
// Fills time with now (UTC) if empty. Throws kInvalidArgument for an empty type or
// idempotency key, schema < 1, or a bad topology.
redis::Command publish_command(const Topology& topology, std::string_view topic, Envelope envelope);
// Returns the entry id.
boost::asio::awaitable<std::string> publish(redis::Client& client, const Topology& topology,
                                            std::string_view topic, Envelope envelope);

// Reads an envelope from a stream entry's flat field list [f1, v1, f2, v2, ...]. Throws
// kInvalidArgument "malformed_envelope" (missing type, bad schema, odd list).
Envelope envelope_from_fields(const redis::Reply& fields);

// Current time as RFC 3339 UTC with milliseconds: "2023-09-13T01:30:00.000Z".
std::string utc_now_rfc3339();

struct ConsumerOptions {
  std::string topic;
  std::string group;
  std::string consumer;  // unique per process (and per Consumer within it)
  int batch = 64;
  std::chrono::milliseconds block{1000};         // BLOCK bound, so stop() is noticed
  int max_deliveries = 5;                        // then dead-letter
  std::chrono::milliseconds claim_idle{30000};   // XAUTOCLAIM entries idle longer (every half)
  std::chrono::milliseconds retry_delay{1000};   // a failed entry is read again from our PEL
  std::chrono::milliseconds reply_margin{2000};  // BLOCK + this = the XREADGROUP call timeout
  std::chrono::milliseconds outage_pause{500};   // pause after Redis failed, before trying again
  std::vector<std::string> streams;  // explicit stream keys instead of the topic's partitions
                                     // (e.g. the intake stream "sangdam:intake")
};

// Handler: return normally -> XACK. Throw sangdam::Error with kInvalidArgument or
// kUnprocessable -> dead-letter at once (poison), ack. Throw anything else -> left pending,
// retried (by this consumer re-reading its PEL after retry_delay, or by XAUTOCLAIM) until
// max_deliveries, then dead-lettered with the last reason.
using Handler = std::function<boost::asio::awaitable<void>(const Delivery&)>;

class Consumer {
 public:
  // blocking_client: a connection of its own (XREADGROUP BLOCK holds it); acks and
  // dead-letters also go through it. Throws kInvalidArgument for bad options.
  Consumer(std::shared_ptr<redis::Client> blocking_client, Topology topology,
           ConsumerOptions options);

  // Creates the group (MKSTREAM, from the start of the stream) on every stream; handles own
  // pending entries first (XREADGROUP ... 0), then new ones (>), BLOCK bounded; XAUTOCLAIMs
  // periodically. Redis outages are logged and waited out. Returns after stop().
  boost::asio::awaitable<void> run(Handler handler);
  void stop();  // run() returns after the current batch
  bool running() const { return running_; }
  const std::vector<std::string>& streams() const { return streams_; }

 private:
  boost::asio::awaitable<void> create_groups();
  boost::asio::awaitable<void> read_own_pending(const Handler& handler);
  boost::asio::awaitable<void> read_new(const Handler& handler);
  boost::asio::awaitable<void> claim_stuck(const Handler& handler);
  boost::asio::awaitable<void> handle(const std::string& stream, const redis::Reply& entries,
                                      bool redelivered, const Handler& handler);
  std::chrono::milliseconds next_wait() const;

  std::shared_ptr<redis::Client> client_;
  Topology topology_;
  ConsumerOptions options_;
  std::vector<std::string> streams_;
  std::vector<std::string> claim_cursors_;  // XAUTOCLAIM cursor per stream
  std::string dead_stream_;
  std::chrono::steady_clock::time_point next_claim_{};
  std::chrono::steady_clock::time_point retry_at_{};  // own PEL re-read due (if retry_due_)
  bool retry_due_ = true;                             // at start: take over our own PEL
  bool running_ = false;
  bool stopping_ = false;
};

// "<prefix>:dead:<topic>" with fields stream, id, reason, message, deliveries + envelope fields.
std::string dead_letter_stream(const Topology& topology, std::string_view topic);

// Idempotent effect: one Lua script checks that done_key does not exist, runs every command of
// effect, then sets done_key with the TTL. Returns false (nothing run) if already done.
// Keys of the effect commands are found from a table of write commands (SET, HSET, HINCRBY,
// INCRBY, SADD, ZADD, XADD, DEL, EXPIRE, ...; see bus_effect.cpp) and passed via KEYS, so the
// script is Redis Cluster safe when all keys share done_key's hash tag (checked when done_key
// has one). Throws kInvalidArgument for an unknown command or a key outside the hash tag;
// kInternal if Redis rejects a command (the commands before it stay applied, as with
// MULTI/EXEC).
boost::asio::awaitable<bool> apply_once(redis::Client& client, std::string done_key,
                                        std::vector<redis::Command> effect,
                                        std::chrono::seconds ttl = std::chrono::hours(24 * 30));

// The KEYS/ARGV encoding of apply_once, exposed for tests: KEYS[1] = done_key, then every
// other distinct key; ARGV = ttl_seconds, command_count, then per command: argc, key mask
// ('1' where the word is a key, given as its KEYS index), and the words.
struct EncodedEffect {
  std::vector<std::string> keys;
  std::vector<std::string> args;
};
EncodedEffect encode_effect(const std::string& done_key, const std::vector<redis::Command>& effect,
                            std::chrono::seconds ttl);

}  // namespace sangdam::bus
