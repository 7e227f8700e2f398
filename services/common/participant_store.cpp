#include "services/common/participant_store.hpp"

#include <chrono>

#include "matching/error.hpp"
#include "services/common/json.hpp"
#include "services/common/keys.hpp"
#include "services/common/tokens.hpp"

namespace sangdam::participants {

namespace asio = boost::asio;

namespace {

// KEYS: participant hash, role index set, tokens hash, profile stream, profiles generation
// ARGV: id, role, external id, full json, public json, new token hash, now, stream max len,
//       event id, expected version ("" = any), profile payload
// Returns {status, version}. "unchanged" when the stored full profile is byte-identical.
const redis::Script kStoreScript(R"lua(
local role = redis.call('HGET', KEYS[1], 'role')
local version
local status
if role then
  if role ~= ARGV[2] then return {'role_conflict', '0'} end
  local current = tonumber(redis.call('HGET', KEYS[1], 'version'))
  if ARGV[10] ~= '' and tonumber(ARGV[10]) ~= current then
    return {'version_conflict', tostring(current)}
  end
  if redis.call('HGET', KEYS[1], 'profile') == ARGV[4] then
    return {'unchanged', tostring(current)}
  end
  version = current + 1
  redis.call('HSET', KEYS[1], 'profile', ARGV[4], 'public', ARGV[5], 'version', version,
             'updated_at', ARGV[7])
  status = 'updated'
else
  if ARGV[10] ~= '' then return {'not_found', '0'} end
  version = 1
  redis.call('HSET', KEYS[1], 'role', ARGV[2], 'external_id', ARGV[3], 'profile', ARGV[4],
             'public', ARGV[5], 'version', version, 'token', ARGV[6], 'created_at', ARGV[7],
             'updated_at', ARGV[7])
  redis.call('SADD', KEYS[2], ARGV[1])
  redis.call('HSET', KEYS[3], ARGV[6], 'participant:' .. ARGV[1])
  status = 'created'
end
-- The event's generation orders every change; the matcher and the matches endpoint compare it.
local generation = redis.call('INCR', KEYS[5])
redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[8], '*', 'type', 'profile.changed',
           'schema', '1', 'event', ARGV[9], 'idempotency_key', ARGV[1] .. ':' .. version,
           'time', ARGV[7], 'payload',
           '{"participant_id":"' .. ARGV[1] .. '","role":"' .. ARGV[2] .. '","version":' ..
           version .. ',"change":"' .. status .. '","generation":' .. generation .. '}')
return {status, tostring(version)}
)lua");

// KEYS: participant hash, tokens hash. ARGV: new token hash ("" = revoke), participant id.
const redis::Script kTokenScript(R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local old = redis.call('HGET', KEYS[1], 'token')
if old and old ~= '' then redis.call('HDEL', KEYS[2], old) end
redis.call('HSET', KEYS[1], 'token', ARGV[1])
if ARGV[1] ~= '' then redis.call('HSET', KEYS[2], ARGV[1], 'participant:' .. ARGV[2]) end
return 1
)lua");

std::string now_rfc3339() {
  auto now = std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
  auto secs = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string_view role_name(Role role) {
  return role == Role::kBuyer ? "buyer" : "company";
}

}  // namespace

std::string participant_id(std::string_view event_id, Role role, std::string_view external_id) {
  std::string material =
      std::string(event_id) + "\n" + std::string(role_name(role)) + "\n" + std::string(external_id);
  return std::string(role == Role::kBuyer ? "b_" : "c_") +
         tokens::sha256_hex(material).substr(0, 16);
}

std::string_view status_name(StoreResult::Status status) {
  switch (status) {
    case StoreResult::Status::kCreated:
      return "created";
    case StoreResult::Status::kUpdated:
      return "updated";
    case StoreResult::Status::kUnchanged:
      return "unchanged";
  }
  return "unchanged";
}

asio::awaitable<StoreResult> store(redis::Client& redis, const bus::Topology& topology,
                                   const StoreRequest& r) {
  std::string token = tokens::issue("sdp");
  std::string token_hash = tokens::sha256_hex(token);
  bool buyer = r.role == Role::kBuyer;
  std::vector<std::string> script_keys{
      keys::participant(r.event_id, r.participant_id), keys::role_index(r.event_id, buyer),
      keys::tokens(r.event_id), bus::stream_for(topology, "profiles", r.event_id),
      keys::profiles_generation(r.event_id)};
  std::vector<std::string> script_args{
      r.participant_id,
      std::string(role_name(r.role)),
      r.external_id,
      r.full_json,
      r.public_json,
      token_hash,
      now_rfc3339(),
      std::to_string(topology.max_len),
      r.event_id,
      r.expected_version ? std::to_string(*r.expected_version) : "",
      ""};
  auto reply = co_await redis.eval(kStoreScript, std::move(script_keys), std::move(script_args));
  if (reply.is_error()) {
    throw Error(ErrorCode::kUnavailable, "store_failed", "storing the profile failed");
  }
  const std::string& status = reply.elements.at(0).as_string();
  StoreResult result;
  result.version = std::stoll(reply.elements.at(1).as_string());
  if (status == "created") {
    result.status = StoreResult::Status::kCreated;
    result.token = token;
  } else if (status == "updated") {
    result.status = StoreResult::Status::kUpdated;
  } else if (status == "unchanged") {
    result.status = StoreResult::Status::kUnchanged;
  } else if (status == "version_conflict") {
    throw Error(ErrorCode::kConflict, "version_conflict",
                "the profile changed meanwhile; read it again and retry");
  } else if (status == "not_found") {
    throw Error(ErrorCode::kNotFound, "participant_not_found", "no such participant");
  } else {
    throw Error(ErrorCode::kConflict, "role_conflict",
                "this external id is registered with another role", "external_id");
  }
  co_return result;
}

asio::awaitable<StoredParticipant> load(redis::Client& redis, std::string_view event_id,
                                        std::string_view participant_id) {
  redis::Command read{"HMGET",   keys::participant(event_id, participant_id),
                      "role",    "external_id",
                      "profile", "public",
                      "version"};
  auto reply = co_await redis.call(std::move(read));
  if (reply.is_error() || reply.elements.size() != 5 || reply.elements[0].is_nil()) {
    throw Error(ErrorCode::kNotFound, "participant_not_found", "no such participant in this event");
  }
  StoredParticipant p;
  p.id = participant_id;
  p.role = reply.elements[0].as_string() == "buyer" ? Role::kBuyer : Role::kCompany;
  p.external_id = reply.elements[1].as_string();
  p.full_json = reply.elements[2].as_string();
  p.public_json = reply.elements[3].as_string();
  p.version = std::stoll(reply.elements[4].as_string());
  co_return p;
}

namespace {
asio::awaitable<void> set_token(redis::Client& redis, std::string_view event_id,
                                std::string_view participant_id, const std::string& hash) {
  std::vector<std::string> script_keys{keys::participant(event_id, participant_id),
                                       keys::tokens(event_id)};
  std::vector<std::string> script_args{hash, std::string(participant_id)};
  auto reply = co_await redis.eval(kTokenScript, std::move(script_keys), std::move(script_args));
  if (reply.is_error()) throw Error(ErrorCode::kUnavailable, "store_failed", reply.str);
  if (reply.integer == 0) {
    throw Error(ErrorCode::kNotFound, "participant_not_found", "no such participant in this event");
  }
}
}  // namespace

asio::awaitable<std::string> rotate_token(redis::Client& redis, std::string_view event_id,
                                          std::string_view participant_id) {
  std::string token = tokens::issue("sdp");
  co_await set_token(redis, event_id, participant_id, tokens::sha256_hex(token));
  co_return token;
}

asio::awaitable<void> revoke_token(redis::Client& redis, std::string_view event_id,
                                   std::string_view participant_id) {
  co_await set_token(redis, event_id, participant_id, "");
}

}  // namespace sangdam::participants
