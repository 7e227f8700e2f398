// The consumer-group loop: own pending entries, new entries, reclaiming, acks, dead letters.
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <map>
#include <optional>

#include "matching/error.hpp"
#include "services/common/bus.hpp"
#include "services/common/log.hpp"

namespace sangdam::bus {

namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// Why a delivery was not acknowledged by its handler.
struct Failure {
  std::string reason;
  std::string message;
  bool poison = false;  // dead-letter at once
};

bool is_poison(ErrorCode code) {
  return code == ErrorCode::kInvalidArgument || code == ErrorCode::kUnprocessable;
}

boost::asio::awaitable<void> pause(milliseconds how_long) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, how_long);
  co_await timer.async_wait(boost::asio::use_awaitable);
}

// Appends the delivery to the dead-letter stream, bounded like every stream.
redis::Command dead_letter_command(const std::string& dead_stream, long long max_len,
                                   const std::string& stream, const std::string& id,
                                   const Envelope& envelope, long long deliveries,
                                   const Failure& failure) {
  return {"XADD",
          dead_stream,
          "MAXLEN",
          "~",
          std::to_string(max_len),
          "*",
          "stream",
          stream,
          "id",
          id,
          "reason",
          failure.reason,
          "message",
          failure.message,
          "deliveries",
          std::to_string(deliveries),
          "type",
          envelope.type,
          "schema",
          std::to_string(envelope.schema),
          "event",
          envelope.event_id,
          "key",
          envelope.idempotency_key,
          "time",
          envelope.time,
          "payload",
          envelope.payload};
}

void check(const ConsumerOptions& options) {
  if (options.group.empty()) throw_invalid("missing_group", "consumer group is empty", "group");
  if (options.consumer.empty()) {
    throw_invalid("missing_consumer", "consumer name is empty", "consumer");
  }
  if (options.batch < 1) throw_invalid("bad_batch", "batch must be >= 1", "batch");
  if (options.max_deliveries < 1) {
    throw_invalid("bad_max_deliveries", "max_deliveries must be >= 1", "max_deliveries");
  }
  if (options.block.count() < 1 || options.claim_idle.count() < 1 ||
      options.retry_delay.count() < 1 || options.reply_margin.count() < 1 ||
      options.outage_pause.count() < 1) {
    throw_invalid("bad_consumer_timing", "consumer durations must be >= 1 ms", "block");
  }
}

}  // namespace

Consumer::Consumer(std::shared_ptr<redis::Client> blocking_client, Topology topology,
                   ConsumerOptions options)
    : client_(std::move(blocking_client)),
      topology_(std::move(topology)),
      options_(std::move(options)) {
  if (!client_) throw_invalid("missing_client", "consumer needs a redis client", "client");
  check(options_);
  streams_ = options_.streams.empty() ? streams_of(topology_, options_.topic) : options_.streams;
  dead_stream_ = dead_letter_stream(topology_, options_.topic);
  claim_cursors_.assign(streams_.size(), "0-0");
}

void Consumer::stop() {
  stopping_ = true;
}

boost::asio::awaitable<void> Consumer::run(Handler handler) {
  running_ = true;
  stopping_ = false;
  bool groups_ready = false;
  while (!stopping_) {
    std::optional<Error> outage;
    try {
      if (!groups_ready) {
        co_await create_groups();
        groups_ready = true;
      }
      auto now = Clock::now();
      if (now >= next_claim_) {
        co_await claim_stuck(handler);
        // Half the idle bound: an entry is reclaimed at most 1.5 x claim_idle after its
        // consumer stopped touching it.
        next_claim_ = now + std::max(options_.claim_idle / 2, milliseconds(1));
      }
      if (retry_due_ && Clock::now() >= retry_at_) {
        retry_due_ = false;
        co_await read_own_pending(handler);
      } else {
        co_await read_new(handler);
      }
    } catch (const Error& e) {
      if (e.code() != ErrorCode::kUnavailable && e.reason() != "redis_error_reply") throw;
      outage = e;
    }
    if (outage) {
      // NOGROUP (stream deleted) also lands here; creating the groups again repairs it.
      log::warn("bus consumer waits for redis",
                {log::field("group", options_.group), log::field("reason", outage->reason()),
                 log::field("message", std::string(outage->what()))});
      groups_ready = false;
      co_await pause(options_.outage_pause);
    }
  }
  running_ = false;
}

boost::asio::awaitable<void> Consumer::create_groups() {
  for (const auto& stream : streams_) {
    // From "0": entries published before the group existed are not lost.
    redis::Command create{"XGROUP", "CREATE", stream, options_.group, "0", "MKSTREAM"};
    auto reply = co_await client_->call(std::move(create));
    if (reply.is_error() && !reply.str.starts_with("BUSYGROUP")) {
      redis::expect_ok(reply, "XGROUP CREATE");
    }
  }
}

milliseconds Consumer::next_wait() const {
  auto until = next_claim_;
  if (retry_due_) until = std::min(until, retry_at_);
  auto left = std::chrono::duration_cast<milliseconds>(until - Clock::now());
  // BLOCK 0 would mean "forever".
  return std::clamp(left, milliseconds(1), options_.block);
}

boost::asio::awaitable<void> Consumer::read_new(const Handler& handler) {
  auto block = next_wait();
  redis::Command command{"XREADGROUP",   "GROUP",
                         options_.group, options_.consumer,
                         "COUNT",        std::to_string(options_.batch),
                         "BLOCK",        std::to_string(block.count()),
                         "STREAMS"};
  command.insert(command.end(), streams_.begin(), streams_.end());
  command.insert(command.end(), streams_.size(), ">");
  auto reply = co_await client_->call(std::move(command), block + options_.reply_margin);
  redis::expect_ok(reply, "XREADGROUP");
  if (reply.is_nil()) co_return;  // BLOCK ran out
  for (const auto& per_stream : reply.elements) {
    co_await handle(per_stream.elements.at(0).as_string(), per_stream.elements.at(1), false,
                    handler);
  }
}

boost::asio::awaitable<void> Consumer::read_own_pending(const Handler& handler) {
  for (const auto& stream : streams_) {
    std::string cursor = "0";
    while (!stopping_) {
      redis::Command read{"XREADGROUP",      "GROUP", options_.group,
                          options_.consumer, "COUNT", std::to_string(options_.batch),
                          "STREAMS",         stream,  cursor};
      auto reply = co_await client_->call(std::move(read));
      redis::expect_ok(reply, "XREADGROUP pending");
      if (reply.is_nil() || reply.elements.empty()) break;
      const auto& entries = reply.elements.front().elements.at(1);
      if (entries.elements.empty()) break;
      cursor = entries.elements.back().elements.at(0).as_string();
      co_await handle(stream, entries, true, handler);
    }
  }
}

boost::asio::awaitable<void> Consumer::claim_stuck(const Handler& handler) {
  for (size_t i = 0; i < streams_.size() && !stopping_; ++i) {
    redis::Command claim{"XAUTOCLAIM",
                         streams_[i],
                         options_.group,
                         options_.consumer,
                         std::to_string(options_.claim_idle.count()),
                         claim_cursors_[i],
                         "COUNT",
                         std::to_string(options_.batch)};
    auto reply = co_await client_->call(std::move(claim));
    redis::expect_ok(reply, "XAUTOCLAIM");
    // [next cursor, claimed entries, ids deleted meanwhile (Redis 7 drops them from the PEL)]
    claim_cursors_[i] = reply.elements.at(0).as_string();
    const auto& entries = reply.elements.at(1);
    if (!entries.elements.empty()) {
      log::info("bus reclaimed stuck entries",
                {log::field("stream", streams_[i]),
                 log::field("count", static_cast<long long>(entries.elements.size()))});
      co_await handle(streams_[i], entries, true, handler);
    }
  }
}

boost::asio::awaitable<void> Consumer::handle(const std::string& stream,
                                              const redis::Reply& entries, bool redelivered,
                                              const Handler& handler) {
  if (entries.elements.empty()) co_return;
  // Redelivered entries: ask the group how often each was delivered (this time included).
  std::map<std::string, long long> delivery_counts;
  if (redelivered) {
    redis::Command counts{"XPENDING",
                          stream,
                          options_.group,
                          entries.elements.front().elements.at(0).as_string(),
                          entries.elements.back().elements.at(0).as_string(),
                          std::to_string(entries.elements.size()),
                          options_.consumer};
    auto reply = co_await client_->call(std::move(counts));
    redis::expect_ok(reply, "XPENDING");
    for (const auto& row : reply.elements) {
      delivery_counts[row.elements.at(0).as_string()] = row.elements.at(3).as_integer();
    }
  }

  std::vector<redis::Command> settle;  // dead letters first, then one XACK for the batch
  redis::Command ack{"XACK", stream, options_.group};
  for (const auto& entry : entries.elements) {
    const std::string& id = entry.elements.at(0).as_string();
    const redis::Reply& fields = entry.elements.at(1);
    if (fields.is_nil()) {  // trimmed away (MAXLEN) while pending: nothing left to handle
      ack.push_back(id);
      continue;
    }
    Delivery delivery{stream, id, {}, 1};
    if (redelivered) {
      auto count = delivery_counts.find(id);
      delivery.deliveries = count == delivery_counts.end() ? 1 : count->second;
    }
    std::optional<Failure> failure;
    try {
      delivery.envelope = envelope_from_fields(fields);
    } catch (const Error& e) {
      failure = Failure{e.reason(), e.what(), true};
    }
    if (!failure) {
      try {
        co_await handler(delivery);
      } catch (const Error& e) {
        failure = Failure{e.reason(), e.what(), is_poison(e.code())};
      } catch (const std::exception& e) {
        failure = Failure{"handler_failed", e.what(), false};
      } catch (...) {
        failure = Failure{"handler_failed", "unknown exception", false};
      }
    }
    if (!failure) {
      ack.push_back(id);
      continue;
    }
    if (failure->poison || delivery.deliveries >= options_.max_deliveries) {
      log::warn("bus dead-letters an entry",
                {log::field("stream", stream), log::field("id", id),
                 log::field("reason", failure->reason), log::field("message", failure->message),
                 log::field("deliveries", delivery.deliveries)});
      settle.push_back(dead_letter_command(dead_stream_, topology_.max_len, stream, id,
                                           delivery.envelope, delivery.deliveries, *failure));
      ack.push_back(id);
    } else {
      log::info(
          "bus handler failed, will retry",
          {log::field("stream", stream), log::field("id", id),
           log::field("reason", failure->reason), log::field("deliveries", delivery.deliveries)});
      if (!retry_due_) retry_at_ = Clock::now() + options_.retry_delay;
      retry_due_ = true;
    }
  }
  if (ack.size() > 3) settle.push_back(std::move(ack));
  if (settle.empty()) co_return;
  // Not atomic: a crash in between dead-letters an entry twice at worst (it stays pending).
  auto replies = co_await client_->pipeline(std::move(settle));
  for (const auto& reply : replies) redis::expect_ok(reply, "dead-letter/XACK");
}

}  // namespace sangdam::bus
