#include "services/common/request_store.hpp"

#include <date/date.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "matching/error.hpp"
#include "services/common/json.hpp"
#include "services/common/keys.hpp"
#include "services/common/tokens.hpp"

namespace sangdam::requests {

namespace asio = boost::asio;

namespace {

// Lua shared by the request scripts. Every script gets the same context in KEYS[1] (the
// "requests" stream) and ARGV[1..8]: now (ms), now (text), stream max length, event id, and the
// key prefixes of requests, pending sets, pair keys, plus the accepted set. Keys of *other*
// requests (found through an index) are built from those prefixes; they share the event's hash
// tag, so the script stays within one cluster slot.
constexpr const char* kRequestLua = R"lua(
local ctx = {stream = KEYS[1], now_ms = tonumber(ARGV[1]), now_text = ARGV[2], maxlen = ARGV[3],
             event = ARGV[4], request_prefix = ARGV[5], pending_prefix = ARGV[6],
             pair_prefix = ARGV[7], accepted = ARGV[8]}

local function fields(key)
  local raw = redis.call('HGETALL', key)
  if #raw == 0 then return nil end
  local h = {}
  for i = 1, #raw, 2 do h[raw[i]] = raw[i + 1] end
  return h
end

local function flat(h)
  local out = {}
  for k, v in pairs(h) do out[#out + 1] = k; out[#out + 1] = v end
  return out
end

local function emit(h, type)
  local payload = cjson.encode({request_id = h.id, sender_id = h.sender_id,
                                receiver_id = h.receiver_id, buyer_id = h.buyer_id,
                                company_id = h.company_id, status = h.status})
  redis.call('XADD', ctx.stream, 'MAXLEN', '~', ctx.maxlen, '*', 'type', type,
             'schema', '1', 'event', ctx.event, 'key', h.id .. ':' .. h.version,
             'time', ctx.now_text, 'payload', payload)
end

-- Moves a pending request to its final status and drops it from the pending indexes.
local function close(h, status)
  local version = tonumber(h.version) + 1
  redis.call('HSET', ctx.request_prefix .. h.id, 'status', status, 'updated_at', ctx.now_text,
             'version', version)
  redis.call('SREM', ctx.pending_prefix .. h.sender_id, h.id)
  local pair = ctx.pair_prefix .. h.buyer_id .. ':' .. h.company_id
  if redis.call('GET', pair) == h.id then redis.call('DEL', pair) end
  if status == 'accepted' then redis.call('SADD', ctx.accepted, h.id) end
  h.status = status
  h.version = tostring(version)
  h.updated_at = ctx.now_text
  emit(h, 'request.' .. status)
end

-- Stores the expiry of a pending request past its deadline.
local function expire_if_due(h)
  if h.status == 'pending' and tonumber(h.expires_at_ms) <= ctx.now_ms then
    close(h, 'expired')
  end
end
)lua";

// KEYS: 1 stream, 2 new request hash, 3 sender participant, 4 receiver participant,
//       5 sender pending set, 6 pair key, 7 client keys hash, 8 sender index, 9 receiver index,
//       10 accepted set
// ARGV: 1..8 context, 9 id, 10 sender, 11 receiver, 12 buyer, 13 company, 14 message,
//       15 expires ms, 16 expires text, 17 client key field ('' = none), 18 max outgoing
// Returns {outcome, ...}: created|existing + flat hash, duplicate + id, limit + count,
// receiver_not_found, same_side.
const redis::Script kCreateScript(std::string(kRequestLua) + R"lua(
if ARGV[17] ~= '' then
  local seen = redis.call('HGET', KEYS[7], ARGV[17])
  if seen then
    local h = fields(ctx.request_prefix .. seen)
    if h then return {'existing', flat(h)} end
  end
end
local sender_role = redis.call('HGET', KEYS[3], 'role')
local receiver_role = redis.call('HGET', KEYS[4], 'role')
if not receiver_role then return {'receiver_not_found'} end
if sender_role == receiver_role then return {'same_side'} end
local open = 0
for _, id in ipairs(redis.call('SMEMBERS', KEYS[5])) do
  local h = fields(ctx.request_prefix .. id)
  if not h then
    redis.call('SREM', KEYS[5], id)
  else
    expire_if_due(h)
    if h.status == 'pending' then open = open + 1 else redis.call('SREM', KEYS[5], id) end
  end
end
local other = redis.call('GET', KEYS[6])
if other then
  local h = fields(ctx.request_prefix .. other)
  if h then expire_if_due(h) end
  if h and h.status == 'pending' then return {'duplicate', other} end
end
if open >= tonumber(ARGV[18]) then return {'limit', tostring(open)} end
local h = {id = ARGV[9], sender_id = ARGV[10], receiver_id = ARGV[11], buyer_id = ARGV[12],
           company_id = ARGV[13], status = 'pending', message = ARGV[14],
           created_at = ctx.now_text, updated_at = ctx.now_text, expires_at_ms = ARGV[15],
           expires_at = ARGV[16], version = '1'}
redis.call('HSET', KEYS[2], unpack(flat(h)))
redis.call('SADD', KEYS[5], ARGV[9])
redis.call('SET', KEYS[6], ARGV[9])
if ARGV[17] ~= '' then redis.call('HSET', KEYS[7], ARGV[17], ARGV[9]) end
redis.call('SADD', KEYS[8], ARGV[9])
redis.call('SADD', KEYS[9], ARGV[9])
emit(h, 'request.created')
return {'created', flat(h)}
)lua");

// KEYS: 1 stream, 2 request hash, 3 accepted set. ARGV: 1..8 context, 9 actor, 10 action.
// Returns {outcome, flat hash}: ok, not_found, wrong_side, expired, not_pending.
const redis::Script kTransitionScript(std::string(kRequestLua) + R"lua(
local h = fields(KEYS[2])
if not h or (ARGV[9] ~= h.sender_id and ARGV[9] ~= h.receiver_id) then return {'not_found'} end
expire_if_due(h)
if h.status == 'expired' then return {'expired', flat(h)} end
if h.status ~= 'pending' then return {'not_pending', flat(h)} end
local by_receiver = ARGV[10] ~= 'withdraw'
if by_receiver ~= (ARGV[9] == h.receiver_id) then return {'wrong_side', flat(h)} end
local next_status = {accept = 'accepted', decline = 'declined', withdraw = 'withdrawn'}
close(h, next_status[ARGV[10]])
return {'ok', flat(h)}
)lua");

long long now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string rfc3339_ms(long long ms) {
  std::chrono::sys_time<std::chrono::milliseconds> t{std::chrono::milliseconds(ms)};
  return date::format("%FT%TZ", t);
}

std::vector<std::string> context_args(const bus::Topology& topology, const std::string& event_id,
                                      long long now) {
  return {std::to_string(now),
          rfc3339_ms(now),
          std::to_string(topology.max_len),
          event_id,
          keys::request(event_id, ""),
          keys::requests_pending(event_id, ""),
          keys::tag(event_id) + ":request_pair:",
          keys::requests_accepted(event_id)};
}

Request from_fields(const std::map<std::string, std::string>& h) {
  auto get = [&h](const char* name) {
    auto it = h.find(name);
    return it == h.end() ? std::string() : it->second;
  };
  Request r;
  r.id = get("id");
  r.sender_id = get("sender_id");
  r.receiver_id = get("receiver_id");
  r.buyer_id = get("buyer_id");
  r.company_id = get("company_id");
  r.status = get("status");
  r.message = get("message");
  r.created_at = get("created_at");
  r.updated_at = get("updated_at");
  r.expires_at = get("expires_at");
  std::string expires = get("expires_at_ms");
  std::string version = get("version");
  r.expires_at_ms = expires.empty() ? 0 : std::stoll(expires);
  r.version = version.empty() ? 1 : std::stoll(version);
  return r;
}

Request from_flat(const redis::Reply& flat) {
  std::map<std::string, std::string> h;
  for (std::size_t i = 0; i + 1 < flat.elements.size(); i += 2) {
    h[flat.elements[i].as_string()] = flat.elements[i + 1].as_string();
  }
  return from_fields(h);
}

// The lazy expiry of a read: a pending request past its deadline shows as expired.
Request with_expiry_view(Request r, long long now) {
  if (r.status == "pending" && r.expires_at_ms <= now) r.status = "expired";
  return r;
}

[[noreturn]] void script_failed(const redis::Reply& reply, const char* what) {
  throw Error(ErrorCode::kUnavailable, "store_failed",
              std::string(what) + " failed: " + (reply.is_error() ? reply.str : "bad reply"));
}

asio::awaitable<std::vector<Request>> load_many(redis::Client& redis, const std::string& event_id,
                                                const std::vector<std::string>& ids) {
  std::vector<Request> out;
  if (ids.empty()) co_return out;
  std::vector<redis::Command> reads;
  reads.reserve(ids.size());
  for (const auto& id : ids) reads.push_back({"HGETALL", keys::request(event_id, id)});
  auto replies = co_await redis.pipeline(std::move(reads));
  long long now = now_ms();
  for (const auto& reply : replies) {
    if (reply.is_error() || reply.elements.empty()) continue;
    out.push_back(with_expiry_view(from_flat(reply), now));
  }
  co_return out;
}

std::string pair_field(std::string_view buyer_id, std::string_view company_id) {
  return std::string(buyer_id) + "|" + std::string(company_id);
}

}  // namespace

bool is_buyer_id(std::string_view id) {
  return id.size() > 2 && id.substr(0, 2) == "b_";
}
bool is_company_id(std::string_view id) {
  return id.size() > 2 && id.substr(0, 2) == "c_";
}

asio::awaitable<CreateResult> create(redis::Client& redis, const bus::Topology& topology,
                                     const NewRequest& r) {
  // Arguments are checked before anything changes.
  bool sender_is_buyer = is_buyer_id(r.sender_id);
  if (!sender_is_buyer && !is_company_id(r.sender_id)) {
    throw Error(ErrorCode::kForbidden, "forbidden", "only buyers and companies send requests");
  }
  if (!is_buyer_id(r.receiver_id) && !is_company_id(r.receiver_id)) {
    throw_invalid("invalid_participant", "to must be a buyer or company id", "to");
  }
  if (sender_is_buyer == is_buyer_id(r.receiver_id)) {
    throw_invalid("same_side", "requests go between a buyer and a company", "to");
  }
  if (r.message.size() > kMaxMessageBytes) {
    throw_invalid("message_too_long",
                  "message is limited to " + std::to_string(kMaxMessageBytes) + " bytes",
                  "message");
  }
  if (r.client_key.size() > kMaxClientKeyBytes) {
    throw_invalid(
        "invalid_client_key",
        "the idempotency key is limited to " + std::to_string(kMaxClientKeyBytes) + " bytes",
        "client_key");
  }
  const std::string& buyer = sender_is_buyer ? r.sender_id : r.receiver_id;
  const std::string& company = sender_is_buyer ? r.receiver_id : r.sender_id;
  long long now = now_ms();
  long long expires =
      now + std::chrono::duration_cast<std::chrono::milliseconds>(r.expires_in).count();
  std::string id = tokens::random_id("rq", 8);

  std::vector<std::string> script_keys{bus::stream_for(topology, "requests", r.event_id),
                                       keys::request(r.event_id, id),
                                       keys::participant(r.event_id, r.sender_id),
                                       keys::participant(r.event_id, r.receiver_id),
                                       keys::requests_pending(r.event_id, r.sender_id),
                                       keys::request_pair(r.event_id, buyer, company),
                                       keys::request_keys(r.event_id),
                                       keys::requests_of(r.event_id, r.sender_id),
                                       keys::requests_of(r.event_id, r.receiver_id),
                                       keys::requests_accepted(r.event_id)};
  auto args = context_args(topology, r.event_id, now);
  for (std::string value : {id, r.sender_id, r.receiver_id, buyer, company, r.message,
                            std::to_string(expires), rfc3339_ms(expires),
                            r.client_key.empty() ? std::string() : r.sender_id + ":" + r.client_key,
                            std::to_string(r.max_outgoing)}) {
    args.push_back(std::move(value));
  }
  auto reply = co_await redis.eval(kCreateScript, std::move(script_keys), std::move(args));
  if (reply.is_error() || reply.elements.empty()) script_failed(reply, "storing the request");
  const std::string& outcome = reply.elements[0].as_string();
  if (outcome == "created" || outcome == "existing") {
    co_return CreateResult{with_expiry_view(from_flat(reply.elements.at(1)), now),
                           outcome == "created"};
  }
  if (outcome == "receiver_not_found") {
    throw Error(ErrorCode::kNotFound, "receiver_not_found", "no such participant in this event",
                "to");
  }
  if (outcome == "same_side") {
    throw_invalid("same_side", "requests go between a buyer and a company", "to");
  }
  if (outcome == "duplicate") {
    throw Error(ErrorCode::kConflict, "duplicate_request",
                "a pending request between this buyer and company exists: " +
                    reply.elements.at(1).as_string(),
                "to");
  }
  if (outcome == "limit") {
    throw Error(ErrorCode::kRateLimited, "outgoing_request_limit",
                "you have " + reply.elements.at(1).as_string() +
                    " pending requests, the event's limit (policies.max_outgoing_requests is " +
                    std::to_string(r.max_outgoing) +
                    "); withdraw one or wait for answers or expiry");
  }
  script_failed(reply, "storing the request");
}

asio::awaitable<Request> transition(redis::Client& redis, const bus::Topology& topology,
                                    const std::string& event_id, const std::string& request_id,
                                    const std::string& actor_id, Action action) {
  const char* action_name = action == Action::kAccept    ? "accept"
                            : action == Action::kDecline ? "decline"
                                                         : "withdraw";
  std::vector<std::string> script_keys{bus::stream_for(topology, "requests", event_id),
                                       keys::request(event_id, request_id),
                                       keys::requests_accepted(event_id)};
  auto args = context_args(topology, event_id, now_ms());
  args.push_back(actor_id);
  args.push_back(action_name);
  auto reply = co_await redis.eval(kTransitionScript, std::move(script_keys), std::move(args));
  if (reply.is_error() || reply.elements.empty()) script_failed(reply, "answering the request");
  const std::string& outcome = reply.elements[0].as_string();
  if (outcome == "ok") co_return from_flat(reply.elements.at(1));
  if (outcome == "not_found") {
    throw Error(ErrorCode::kNotFound, "request_not_found", "no such request of yours");
  }
  Request current = from_flat(reply.elements.at(1));
  if (outcome == "expired") {
    throw Error(ErrorCode::kGone, "request_expired",
                "the request expired at " + current.expires_at + " without an answer");
  }
  if (outcome == "not_pending") {
    throw Error(ErrorCode::kConflict, "request_not_pending",
                "the request is already " + current.status);
  }
  if (outcome == "wrong_side") {
    throw Error(ErrorCode::kForbidden, "wrong_side",
                action == Action::kWithdraw ? "only the sender may withdraw a request"
                                            : "only the receiver may accept or decline");
  }
  script_failed(reply, "answering the request");
}

asio::awaitable<std::optional<Request>> load(redis::Client& redis, const std::string& event_id,
                                             const std::string& request_id) {
  std::vector<std::string> ids{request_id};
  auto found = co_await load_many(redis, event_id, ids);
  if (found.empty()) co_return std::nullopt;
  co_return std::move(found.front());
}

asio::awaitable<std::vector<Request>> list_for(redis::Client& redis, const std::string& event_id,
                                               const std::string& participant_id) {
  redis::Command members{"SMEMBERS", keys::requests_of(event_id, participant_id)};
  auto reply = co_await redis.call(std::move(members));
  std::vector<std::string> ids;
  for (const auto& e : reply.elements) ids.push_back(e.as_string());
  auto out = co_await load_many(redis, event_id, ids);
  std::sort(out.begin(), out.end(), [](const Request& a, const Request& b) {
    return a.created_at != b.created_at ? a.created_at > b.created_at : a.id < b.id;
  });
  co_return out;
}

asio::awaitable<std::vector<Request>> list_accepted(redis::Client& redis,
                                                    const std::string& event_id) {
  redis::Command members{"SMEMBERS", keys::requests_accepted(event_id)};
  auto reply = co_await redis.call(std::move(members));
  std::vector<std::string> ids;
  for (const auto& e : reply.elements) ids.push_back(e.as_string());
  std::sort(ids.begin(), ids.end());
  co_return co_await load_many(redis, event_id, ids);
}

std::string to_json(const Request& r) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  auto field = [&w](const char* name, const std::string& value) {
    w.Key(name);
    w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
  };
  field("id", r.id);
  field("sender_id", r.sender_id);
  field("receiver_id", r.receiver_id);
  field("buyer_id", r.buyer_id);
  field("company_id", r.company_id);
  field("status", r.status);
  field("message", r.message);
  field("created_at", r.created_at);
  field("updated_at", r.updated_at);
  field("expires_at", r.expires_at);
  w.Key("version");
  w.Int64(r.version);
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

asio::awaitable<Pair> add_pair(redis::Client& redis, const bus::Topology& topology,
                               const std::string& event_id, Pair pair) {
  if (!is_buyer_id(pair.buyer_id)) {
    throw_invalid("invalid_participant", "buyer_id must be a buyer id", "buyer_id");
  }
  if (!is_company_id(pair.company_id)) {
    throw_invalid("invalid_participant", "company_id must be a company id", "company_id");
  }
  if (!(pair.weight > 0 && pair.weight <= kMaxPairWeight) || !std::isfinite(pair.weight)) {
    throw_invalid("invalid_weight",
                  "weight must be a number in (0, " + std::to_string(int(kMaxPairWeight)) + "]",
                  "weight");
  }
  std::vector<redis::Command> exists{{"EXISTS", keys::participant(event_id, pair.buyer_id)},
                                     {"EXISTS", keys::participant(event_id, pair.company_id)}};
  auto found = co_await redis.pipeline(std::move(exists));
  if (found.at(0).as_integer() == 0 || found.at(1).as_integer() == 0) {
    throw Error(ErrorCode::kNotFound, "participant_not_found", "no such participant in this event",
                found.at(0).as_integer() == 0 ? "buyer_id" : "company_id");
  }
  pair.updated_at = bus::utc_now_rfc3339();
  std::string field = pair_field(pair.buyer_id, pair.company_id);
  std::string body = to_json(pair);
  bus::Envelope message{"pair.added",    1,
                        event_id,        "pair.added:" + field + ":" + pair.updated_at,
                        pair.updated_at, body};
  std::vector<redis::Command> write{{"MULTI"},
                                    {"HSET", keys::pairs(event_id), field, body},
                                    {"SREM", keys::pairs_removed(event_id), field},
                                    bus::publish_command(topology, "requests", message),
                                    {"EXEC"}};
  auto replies = co_await redis.pipeline(std::move(write));
  if (replies.back().is_error() || replies.back().is_nil()) {
    script_failed(replies.back(), "storing the pair");
  }
  co_return pair;
}

asio::awaitable<void> remove_pair(redis::Client& redis, const bus::Topology& topology,
                                  const std::string& event_id, const std::string& buyer_id,
                                  const std::string& company_id) {
  if (!is_buyer_id(buyer_id)) {
    throw_invalid("invalid_participant", "the first id must be a buyer id", "buyer_id");
  }
  if (!is_company_id(company_id)) {
    throw_invalid("invalid_participant", "the second id must be a company id", "company_id");
  }
  std::string field = pair_field(buyer_id, company_id);
  std::string now = bus::utc_now_rfc3339();
  bus::Envelope message{"pair.removed",
                        1,
                        event_id,
                        "pair.removed:" + field + ":" + now,
                        now,
                        "{\"buyer_id\":" + json::quote(buyer_id) +
                            ",\"company_id\":" + json::quote(company_id) + "}"};
  std::vector<redis::Command> write{{"MULTI"},
                                    {"HDEL", keys::pairs(event_id), field},
                                    {"SADD", keys::pairs_removed(event_id), field},
                                    bus::publish_command(topology, "requests", message),
                                    {"EXEC"}};
  auto replies = co_await redis.pipeline(std::move(write));
  if (replies.back().is_error() || replies.back().is_nil()) {
    script_failed(replies.back(), "removing the pair");
  }
}

asio::awaitable<Pairs> list_pairs(redis::Client& redis, const std::string& event_id) {
  std::vector<redis::Command> reads{{"HGETALL", keys::pairs(event_id)},
                                    {"SMEMBERS", keys::pairs_removed(event_id)}};
  auto replies = co_await redis.pipeline(std::move(reads));
  Pairs out;
  const auto& must = replies.at(0).elements;
  for (std::size_t i = 0; i + 1 < must.size(); i += 2) {
    auto doc = json::parse(must[i + 1].as_string());
    Pair p;
    p.buyer_id = doc["buyer_id"].GetString();
    p.company_id = doc["company_id"].GetString();
    p.weight = doc["weight"].GetDouble();
    p.updated_at = doc["updated_at"].GetString();
    out.must_meet.push_back(std::move(p));
  }
  for (const auto& member : replies.at(1).elements) {
    const std::string& text = member.as_string();
    auto bar = text.find('|');
    if (bar == std::string::npos) continue;
    out.removed.emplace_back(text.substr(0, bar), text.substr(bar + 1));
  }
  std::sort(out.must_meet.begin(), out.must_meet.end(), [](const Pair& a, const Pair& b) {
    return std::tie(a.buyer_id, a.company_id) < std::tie(b.buyer_id, b.company_id);
  });
  std::sort(out.removed.begin(), out.removed.end());
  co_return out;
}

std::string to_json(const Pair& p) {
  return "{\"buyer_id\":" + json::quote(p.buyer_id) +
         ",\"company_id\":" + json::quote(p.company_id) +
         ",\"weight\":" + std::to_string(p.weight) +
         ",\"updated_at\":" + json::quote(p.updated_at) + "}";
}

std::string to_json(const Pairs& pairs) {
  std::string body = "{\"must_meet\":[";
  for (std::size_t i = 0; i < pairs.must_meet.size(); ++i) {
    if (i) body += ',';
    body += to_json(pairs.must_meet[i]);
  }
  body += "],\"removed\":[";
  for (std::size_t i = 0; i < pairs.removed.size(); ++i) {
    if (i) body += ',';
    body += "{\"buyer_id\":" + json::quote(pairs.removed[i].first) +
            ",\"company_id\":" + json::quote(pairs.removed[i].second) + "}";
  }
  return body + "]}";
}

}  // namespace sangdam::requests
