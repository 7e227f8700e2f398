#include "services/common/webhook_store.hpp"

#include <date/date.h>
#include <openssl/rand.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <tuple>

#include "matching/error.hpp"
#include "services/common/bus.hpp"
#include "services/common/keys.hpp"
#include "services/common/tokens.hpp"

namespace sangdam::webhook_store {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void put(Writer& w, const char* key, std::string_view value) {
  w.Key(key);
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

// null for an empty text, so clients can test "was there one" without comparing strings.
void put_or_null(Writer& w, const char* key, std::string_view value) {
  if (value.empty()) {
    w.Key(key);
    w.Null();
  } else {
    put(w, key, value);
  }
}

std::string format_ms(long long unix_ms) {
  using namespace std::chrono;
  return date::format("%FT%TZ", sys_time<milliseconds>(milliseconds(unix_ms)));
}

[[noreturn]] void throw_not_found() {
  throw Error(ErrorCode::kNotFound, "webhook_not_found", "no such webhook in this event",
              "webhook_id");
}

[[noreturn]] void corrupt(const std::string& what) {
  throw Error(ErrorCode::kInternal, "corrupt_webhook_record", "stored webhook data: " + what);
}

Webhook webhook_from_json(const std::string& event_id, const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str(), text.size());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("id") || !doc.HasMember("url") ||
      !doc.HasMember("types") || !doc["types"].IsArray() || !doc.HasMember("secret")) {
    corrupt("a webhook is not the JSON we write");
  }
  Webhook w;
  w.event_id = event_id;
  w.id = doc["id"].GetString();
  w.url = doc["url"].GetString();
  for (const auto& t : doc["types"].GetArray()) w.types.emplace_back(t.GetString());
  if (doc.HasMember("description")) w.description = doc["description"].GetString();
  w.secret = doc["secret"].GetString();
  if (doc.HasMember("created_at")) w.created_at = doc["created_at"].GetString();
  return w;
}

// KEYS[1] webhooks hash. ARGV: max per event, id, JSON. 0 when the event has max already.
const redis::Script kCreateScript(R"lua(
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
return 1
)lua");

// KEYS[1] delivery hash, KEYS[2] the webhook's log. ARGV: ttl seconds, created (ms), log
// length, delivery id, then the record's field/value pairs. Returns {created 0|1, status}: an
// existing delivery is left exactly as it is.
const redis::Script kAddScript(R"lua(
local status = redis.call('HGET', KEYS[1], 'status')
if status then return {0, status} end
redis.call('HSET', KEYS[1], unpack(ARGV, 5))
redis.call('EXPIRE', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[4])
redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -(tonumber(ARGV[3]) + 1))
redis.call('EXPIRE', KEYS[2], ARGV[1])
return {1, 'pending'}
)lua");

// KEYS[1] the due set. ARGV: now (ms), lease end (ms), how many. Takes the due members and
// moves each to the lease end in the same step, so two senders never take the same one.
const redis::Script kTakeDueScript(R"lua(
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[3])
for _, m in ipairs(due) do redis.call('ZADD', KEYS[1], 'XX', ARGV[2], m) end
return due
)lua");

std::string due_member(const std::string& event_id, const std::string& delivery_id) {
  return event_id + "|" + delivery_id;
}

std::vector<std::string> record_fields(const Delivery& d) {
  return {"id",
          d.id,
          "event_id",
          d.event_id,
          "webhook_id",
          d.webhook_id,
          "type",
          d.type,
          "body",
          d.body,
          "status",
          std::string(status_name(d.status)),
          "attempts",
          std::to_string(d.attempts),
          "last_status",
          std::to_string(d.last_status),
          "last_error",
          d.last_error,
          "next_attempt_ms",
          std::to_string(d.next_attempt_ms),
          "created_at",
          d.created_at,
          "last_attempt_at",
          d.last_attempt_at,
          "delivered_at",
          d.delivered_at};
}

Status status_from(const std::string& text) {
  if (text == "pending") return Status::kPending;
  if (text == "delivered") return Status::kDelivered;
  if (text == "failed") return Status::kFailed;
  corrupt("unknown delivery status '" + text + "'");
}

// From HGETALL's flat [field, value, ...]; nullopt for a missing (expired) record.
std::optional<Delivery> delivery_from(const redis::Reply& reply) {
  if (reply.is_error()) redis::expect_ok(reply, "reading a webhook delivery");
  if (reply.elements.empty()) return std::nullopt;
  Delivery d;
  for (std::size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
    const auto& field = reply.elements[i].as_string();
    const auto& value = reply.elements[i + 1];
    if (field == "id") d.id = value.as_string();
    if (field == "event_id") d.event_id = value.as_string();
    if (field == "webhook_id") d.webhook_id = value.as_string();
    if (field == "type") d.type = value.as_string();
    if (field == "body") d.body = value.as_string();
    if (field == "status") d.status = status_from(value.as_string());
    if (field == "attempts") d.attempts = static_cast<int>(value.as_integer());
    if (field == "last_status") d.last_status = static_cast<unsigned>(value.as_integer());
    if (field == "last_error") d.last_error = value.as_string();
    if (field == "next_attempt_ms") d.next_attempt_ms = value.as_integer();
    if (field == "created_at") d.created_at = value.as_string();
    if (field == "last_attempt_at") d.last_attempt_at = value.as_string();
    if (field == "delivered_at") d.delivered_at = value.as_string();
  }
  if (d.id.empty() || d.webhook_id.empty()) corrupt("a delivery without id or webhook");
  return d;
}

// What a sealed secret is bound to: it opens for this webhook of this event only.
std::string sealing_binding(const Webhook& webhook) {
  return webhook.event_id + "/" + webhook.id;
}

}  // namespace

std::string to_json(const Webhook& webhook, bool with_secret) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  put(w, "id", webhook.id);
  put(w, "event_id", webhook.event_id);
  put(w, "url", webhook.url);
  w.Key("types");
  w.StartArray();
  for (const auto& t : webhook.types) w.String(t.c_str());
  w.EndArray();
  put(w, "description", webhook.description);
  if (with_secret) put(w, "secret", webhook.secret);
  put(w, "created_at", webhook.created_at);
  w.EndObject();
  return buffer.GetString();
}

std::optional<std::string> signing_secret(const Webhook& webhook,
                                          const std::optional<webhook::SecretKey>& key) {
  if (!webhook::is_sealed(webhook.secret)) return webhook.secret;
  if (!key) return std::nullopt;
  return webhook::open(*key, webhook.secret, sealing_binding(webhook));
}

asio::awaitable<Webhook> create(redis::Client& redis, const std::string& event_id,
                                const webhook::Registration& registration,
                                std::size_t max_per_event,
                                const std::optional<webhook::SecretKey>& key) {
  Webhook w;
  w.id = tokens::random_id("wh", 8);
  w.event_id = event_id;
  w.url = registration.url;
  w.types = registration.types;
  w.description = registration.description;
  w.secret = tokens::issue("whsec");  // 32 random bytes, hex
  w.created_at = bus::utc_now_rfc3339();
  std::vector<std::string> script_keys{keys::webhooks(event_id)};
  Webhook at_rest = w;
  if (key) {
    webhook::Nonce nonce{};
    if (RAND_bytes(nonce.data(), static_cast<int>(nonce.size())) != 1) {
      throw Error(ErrorCode::kInternal, "random_failure", "no random bytes for a nonce");
    }
    at_rest.secret = webhook::seal(*key, nonce, w.secret, sealing_binding(w));
  }
  std::vector<std::string> args{std::to_string(max_per_event), w.id, to_json(at_rest, true)};
  auto stored = co_await redis.eval(kCreateScript, std::move(script_keys), std::move(args));
  if (redis::expect_ok(stored, "storing a webhook").as_integer() == 0) {
    throw Error(
        ErrorCode::kConflict, "webhook_limit_reached",
        "this event has " + std::to_string(max_per_event) + " webhooks already; delete one first");
  }
  co_return w;
}

asio::awaitable<std::vector<Webhook>> list(redis::Client& redis, const std::string& event_id) {
  redis::Command read{"HVALS", keys::webhooks(event_id)};
  auto reply = co_await redis.call(std::move(read));
  redis::expect_ok(reply, "listing webhooks");
  std::vector<Webhook> out;
  for (const auto& item : reply.elements) out.push_back(webhook_from_json(event_id, item.str));
  std::sort(out.begin(), out.end(), [](const Webhook& a, const Webhook& b) {
    return std::tie(a.created_at, a.id) < std::tie(b.created_at, b.id);
  });
  co_return out;
}

asio::awaitable<std::optional<Webhook>> find(redis::Client& redis, const std::string& event_id,
                                             const std::string& webhook_id) {
  redis::Command read{"HGET", keys::webhooks(event_id), webhook_id};
  auto reply = co_await redis.call(std::move(read));
  redis::expect_ok(reply, "reading a webhook");
  if (reply.is_nil()) co_return std::nullopt;
  co_return webhook_from_json(event_id, reply.str);
}

asio::awaitable<Webhook> get(redis::Client& redis, const std::string& event_id,
                             const std::string& webhook_id) {
  auto found = co_await find(redis, event_id, webhook_id);
  if (!found) {
    throw_not_found();
  }
  co_return *found;
}

asio::awaitable<void> remove(redis::Client& redis, const std::string& event_id,
                             const std::string& webhook_id) {
  redis::Command del{"HDEL", keys::webhooks(event_id), webhook_id};
  auto reply = co_await redis.call(std::move(del));
  if (redis::expect_ok(reply, "deleting a webhook").as_integer() == 0) {
    throw_not_found();
  }
}

std::string_view status_name(Status status) {
  switch (status) {
    case Status::kPending:
      return "pending";
    case Status::kDelivered:
      return "delivered";
    case Status::kFailed:
      return "failed";
  }
  return "pending";
}

std::string to_json(const Delivery& d) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  put(w, "id", d.id);
  put(w, "webhook_id", d.webhook_id);
  put(w, "type", d.type);
  put(w, "status", status_name(d.status));
  w.Key("attempts");
  w.Int(d.attempts);
  w.Key("last_status");
  if (d.last_status == 0) {
    w.Null();
  } else {
    w.Uint(d.last_status);
  }
  put_or_null(w, "last_error", d.last_error);
  put_or_null(w, "next_attempt_at",
              d.status == Status::kPending ? format_ms(d.next_attempt_ms) : std::string());
  put(w, "created_at", d.created_at);
  put_or_null(w, "last_attempt_at", d.last_attempt_at);
  put_or_null(w, "delivered_at", d.delivered_at);
  w.EndObject();
  return buffer.GetString();
}

asio::awaitable<bool> add(redis::Client& redis, const Delivery& delivery, long long now_ms) {
  std::vector<std::string> args{
      std::to_string(std::chrono::duration_cast<std::chrono::seconds>(kDeliveryTtl).count()),
      std::to_string(now_ms), std::to_string(kDeliveryLogLength), delivery.id};
  for (auto& f : record_fields(delivery)) args.push_back(std::move(f));
  std::vector<std::string> script_keys{
      keys::webhook_delivery(delivery.event_id, delivery.id),
      keys::webhook_deliveries(delivery.event_id, delivery.webhook_id)};
  auto reply = co_await redis.eval(kAddScript, std::move(script_keys), std::move(args));
  redis::expect_ok(reply, "storing a webhook delivery");
  if (reply.elements.size() != 2) corrupt("unexpected reply of the delivery script");
  bool created = reply.elements[0].as_integer() == 1;
  if (reply.elements[1].as_string() == "pending") {
    // NX: a delivery already waiting (or leased to a sender) keeps its time.
    redis::Command queue{"ZADD", keys::kWebhooksDue, "NX", std::to_string(now_ms),
                         due_member(delivery.event_id, delivery.id)};
    auto queued = co_await redis.call(std::move(queue));
    redis::expect_ok(queued, "queueing a webhook delivery");
  }
  co_return created;
}

asio::awaitable<LogPage> log(redis::Client& redis, const std::string& event_id,
                             const std::string& webhook_id, long long offset, long long limit) {
  std::string index = keys::webhook_deliveries(event_id, webhook_id);
  std::vector<redis::Command> page{
      {"ZCARD", index},
      {"ZREVRANGE", index, std::to_string(offset), std::to_string(offset + limit - 1)}};
  auto replies = co_await redis.pipeline(std::move(page));
  LogPage out;
  out.total = redis::expect_ok(replies.at(0), "counting deliveries").as_integer();
  const auto& ids = redis::expect_ok(replies.at(1), "listing deliveries").elements;
  if (ids.empty()) co_return out;
  std::vector<redis::Command> reads;
  reads.reserve(ids.size());
  for (const auto& id : ids) reads.push_back({"HGETALL", keys::webhook_delivery(event_id, id.str)});
  auto records = co_await redis.pipeline(std::move(reads));
  for (const auto& r : records) {
    if (auto d = delivery_from(r)) out.deliveries.push_back(std::move(*d));
  }
  co_return out;
}

asio::awaitable<std::vector<Due>> take_due(redis::Client& redis, long long now_ms,
                                           std::chrono::milliseconds lease, int max_count) {
  std::vector<std::string> script_keys{keys::kWebhooksDue};
  std::vector<std::string> args{std::to_string(now_ms), std::to_string(now_ms + lease.count()),
                                std::to_string(max_count)};
  auto reply = co_await redis.eval(kTakeDueScript, std::move(script_keys), std::move(args));
  redis::expect_ok(reply, "taking due webhook deliveries");
  std::vector<Due> out;
  for (const auto& m : reply.elements) {
    auto bar = m.str.rfind('|');
    if (bar == std::string::npos) {
      // Not ours to understand: drop it so that it does not come back every lease.
      redis::Command drop{"ZREM", keys::kWebhooksDue, m.str};
      co_await redis.call(std::move(drop));
      continue;
    }
    out.push_back({m.str.substr(0, bar), m.str.substr(bar + 1)});
  }
  co_return out;
}

asio::awaitable<std::optional<Delivery>> load(redis::Client& redis, const std::string& event_id,
                                              const std::string& delivery_id) {
  redis::Command read{"HGETALL", keys::webhook_delivery(event_id, delivery_id)};
  auto reply = co_await redis.call(std::move(read));
  co_return delivery_from(reply);
}

asio::awaitable<void> record_attempt(redis::Client& redis, const Delivery& delivery) {
  redis::Command write{"HSET", keys::webhook_delivery(delivery.event_id, delivery.id)};
  for (auto& f : record_fields(delivery)) write.push_back(std::move(f));
  std::string member = due_member(delivery.event_id, delivery.id);
  redis::Command queue = delivery.status == Status::kPending
                             ? redis::Command{"ZADD", keys::kWebhooksDue,
                                              std::to_string(delivery.next_attempt_ms), member}
                             : redis::Command{"ZREM", keys::kWebhooksDue, member};
  std::vector<redis::Command> both{std::move(write), std::move(queue)};
  auto replies = co_await redis.pipeline(std::move(both));
  redis::expect_ok(replies.at(0), "recording a webhook attempt");
  redis::expect_ok(replies.at(1), "re-queueing a webhook delivery");
}

asio::awaitable<void> forget_due(redis::Client& redis, const Due& due) {
  redis::Command drop{"ZREM", keys::kWebhooksDue, due_member(due.event_id, due.delivery_id)};
  auto dropped = co_await redis.call(std::move(drop));
  redis::expect_ok(dropped, "dropping a due webhook delivery");
}

}  // namespace sangdam::webhook_store
