// Stream names, envelopes and publishing.
#include "services/common/bus.hpp"

#include <charconv>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "matching/error.hpp"

namespace sangdam::bus {

namespace {

void check_topology(const Topology& topology, std::string_view topic) {
  if (topic.empty()) throw_invalid("missing_topic", "a bus topic is empty", "topic");
  if (topology.partitions < 1) {
    throw_invalid("bad_partitions", "a topic needs at least one partition", "partitions");
  }
  if (topology.max_len < 1) throw_invalid("bad_max_len", "stream max_len must be >= 1", "max_len");
}

// FNV-1a, 64 bit: stable across processes, builds and machines (std::hash is not).
unsigned long long fnv1a64(std::string_view text) {
  unsigned long long hash = 14695981039346656037ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

[[noreturn]] void throw_malformed(const std::string& message, std::string field = {}) {
  throw_invalid("malformed_envelope", message, std::move(field));
}

}  // namespace

std::string stream_for(const Topology& topology, std::string_view topic,
                       std::string_view event_id) {
  check_topology(topology, topic);
  auto partition = fnv1a64(event_id) % static_cast<unsigned long long>(topology.partitions);
  return topology.prefix + ":" + std::string(topic) + ":" + std::to_string(partition);
}

std::vector<std::string> streams_of(const Topology& topology, std::string_view topic) {
  check_topology(topology, topic);
  std::vector<std::string> streams;
  for (int p = 0; p < topology.partitions; ++p) {
    streams.push_back(topology.prefix + ":" + std::string(topic) + ":" + std::to_string(p));
  }
  return streams;
}

std::string dead_letter_stream(const Topology& topology, std::string_view topic) {
  check_topology(topology, topic);
  return topology.prefix + ":dead:" + std::string(topic);
}

std::string utc_now_rfc3339() {
  auto now = std::chrono::system_clock::now();
  auto seconds = std::chrono::system_clock::to_time_t(now);
  auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(millis));
  return text;
}

redis::Command publish_command(const Topology& topology, std::string_view topic,
                               Envelope envelope) {
  if (envelope.type.empty()) throw_invalid("missing_type", "a message needs a type", "type");
  if (envelope.idempotency_key.empty()) {
    throw_invalid("missing_idempotency_key", "a message needs an idempotency key",
                  "idempotency_key");
  }
  if (envelope.schema < 1) throw_invalid("bad_schema", "schema version must be >= 1", "schema");
  if (envelope.time.empty()) envelope.time = utc_now_rfc3339();
  return {"XADD",
          stream_for(topology, topic, envelope.event_id),
          "MAXLEN",
          "~",
          std::to_string(topology.max_len),
          "*",
          "type",
          std::move(envelope.type),
          "schema",
          std::to_string(envelope.schema),
          "event",
          std::move(envelope.event_id),
          "key",
          std::move(envelope.idempotency_key),
          "time",
          std::move(envelope.time),
          "payload",
          std::move(envelope.payload)};
}

boost::asio::awaitable<std::string> publish(redis::Client& client, const Topology& topology,
                                            std::string_view topic, Envelope envelope) {
  auto command = publish_command(topology, topic, std::move(envelope));
  auto reply = co_await client.call(std::move(command));
  co_return redis::expect_ok(reply, "XADD").as_string();
}

Envelope envelope_from_fields(const redis::Reply& fields) {
  if (fields.type != redis::Reply::Type::kArray || fields.elements.size() % 2 != 0) {
    throw_malformed("a stream entry's fields are not name/value pairs");
  }
  Envelope envelope;
  bool has_type = false;
  for (size_t i = 0; i < fields.elements.size(); i += 2) {
    const std::string& name = fields.elements[i].str;
    const std::string& value = fields.elements[i + 1].str;
    if (name == "type") {
      envelope.type = value;
      has_type = !value.empty();
    } else if (name == "schema") {
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), envelope.schema);
      if (ec != std::errc() || end != value.data() + value.size() || envelope.schema < 1) {
        throw_malformed("schema is not a positive integer: " + value, "schema");
      }
    } else if (name == "event") {
      envelope.event_id = value;
    } else if (name == "key" || name == "idempotency_key") {
      envelope.idempotency_key = value;
    } else if (name == "time") {
      envelope.time = value;
    } else if (name == "payload") {
      envelope.payload = value;
    }
  }
  if (!has_type) throw_malformed("the entry has no type", "type");
  return envelope;
}

}  // namespace sangdam::bus
