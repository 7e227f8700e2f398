// apply_once: an effect and its "done" marker written in one Lua script, so a redelivered
// message cannot apply its effect twice.
#include <cctype>
#include <map>
#include <string_view>

#include "matching/error.hpp"
#include "services/common/bus.hpp"

namespace sangdam::bus {

namespace {

// Which words of a write command are keys.
enum class KeyRule {
  kFirst,      // SET key ..., HSET key ..., XADD key ...
  kFirstTwo,   // RENAME src dst, SMOVE src dst member, LMOVE src dst ...
  kAll,        // DEL key [key ...]
  kEveryOther  // MSET key value [key value ...]
};

KeyRule key_rule(std::string command) {
  for (auto& c : command) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  static const std::map<std::string, KeyRule, std::less<>> kRules = {
      {"SET", KeyRule::kFirst},          {"SETEX", KeyRule::kFirst},
      {"PSETEX", KeyRule::kFirst},       {"SETNX", KeyRule::kFirst},
      {"APPEND", KeyRule::kFirst},       {"INCR", KeyRule::kFirst},
      {"INCRBY", KeyRule::kFirst},       {"INCRBYFLOAT", KeyRule::kFirst},
      {"DECR", KeyRule::kFirst},         {"DECRBY", KeyRule::kFirst},
      {"HSET", KeyRule::kFirst},         {"HSETNX", KeyRule::kFirst},
      {"HMSET", KeyRule::kFirst},        {"HINCRBY", KeyRule::kFirst},
      {"HINCRBYFLOAT", KeyRule::kFirst}, {"HDEL", KeyRule::kFirst},
      {"SADD", KeyRule::kFirst},         {"SREM", KeyRule::kFirst},
      {"ZADD", KeyRule::kFirst},         {"ZREM", KeyRule::kFirst},
      {"ZINCRBY", KeyRule::kFirst},      {"ZREMRANGEBYSCORE", KeyRule::kFirst},
      {"LPUSH", KeyRule::kFirst},        {"RPUSH", KeyRule::kFirst},
      {"LREM", KeyRule::kFirst},         {"LTRIM", KeyRule::kFirst},
      {"XADD", KeyRule::kFirst},         {"XTRIM", KeyRule::kFirst},
      {"EXPIRE", KeyRule::kFirst},       {"PEXPIRE", KeyRule::kFirst},
      {"EXPIREAT", KeyRule::kFirst},     {"PERSIST", KeyRule::kFirst},
      {"PFADD", KeyRule::kFirst},        {"SETBIT", KeyRule::kFirst},
      {"RENAME", KeyRule::kFirstTwo},    {"SMOVE", KeyRule::kFirstTwo},
      {"LMOVE", KeyRule::kFirstTwo},     {"DEL", KeyRule::kAll},
      {"UNLINK", KeyRule::kAll},         {"MSET", KeyRule::kEveryOther},
  };
  auto rule = kRules.find(command);
  if (rule == kRules.end()) {
    throw_invalid("unsupported_effect_command",
                  "apply_once does not know the keys of " + command + "; add it to bus_effect.cpp",
                  "effect");
  }
  return rule->second;
}

bool is_key(KeyRule rule, size_t word) {  // word 0 is the command name
  switch (rule) {
    case KeyRule::kFirst:
      return word == 1;
    case KeyRule::kFirstTwo:
      return word == 1 || word == 2;
    case KeyRule::kAll:
      return word >= 1;
    case KeyRule::kEveryOther:
      return word % 2 == 1;
  }
  return false;
}

// Redis Cluster's hash tag: the text between the first '{' and the next '}' if not empty,
// else the whole key.
std::string_view hash_tag(std::string_view key) {
  auto open = key.find('{');
  if (open == std::string_view::npos) return key;
  auto close = key.find('}', open + 1);
  if (close == std::string_view::npos || close == open + 1) return key;
  return key.substr(open + 1, close - open - 1);
}

// KEYS[1] done marker; ARGV: ttl, count, then per command argc, key mask, words.
const redis::Script kApplyOnce(R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local at = 3
for _ = 1, tonumber(ARGV[2]) do
  local argc = tonumber(ARGV[at])
  local mask = ARGV[at + 1]
  at = at + 2
  local words = {}
  for w = 1, argc do
    local word = ARGV[at]
    if string.byte(mask, w) == 49 then word = KEYS[tonumber(word)] end
    words[w] = word
    at = at + 1
  end
  redis.call(unpack(words))
end
redis.call('SET', KEYS[1], '1', 'EX', ARGV[1])
return 1
)lua");

}  // namespace

EncodedEffect encode_effect(const std::string& done_key, const std::vector<redis::Command>& effect,
                            std::chrono::seconds ttl) {
  if (done_key.empty())
    throw_invalid("missing_done_key", "apply_once needs a done key", "done_key");
  if (ttl.count() < 1) throw_invalid("bad_ttl", "apply_once TTL must be >= 1 s", "ttl");
  bool tagged = hash_tag(done_key) != std::string_view(done_key);
  EncodedEffect encoded;
  encoded.keys.push_back(done_key);
  encoded.args = {std::to_string(ttl.count()), std::to_string(effect.size())};
  std::map<std::string, size_t> key_index{{done_key, 1}};
  for (const auto& command : effect) {
    if (command.empty()) throw_invalid("empty_effect_command", "an effect command is empty");
    KeyRule rule = key_rule(command.front());
    std::string mask;
    std::vector<std::string> words;
    for (size_t w = 0; w < command.size(); ++w) {
      if (!is_key(rule, w)) {
        mask.push_back('0');
        words.push_back(command[w]);
        continue;
      }
      const std::string& key = command[w];
      if (tagged && hash_tag(key) != hash_tag(done_key)) {
        throw_invalid("cross_slot_effect",
                      "effect key " + key + " lacks the hash tag of " + done_key, "effect");
      }
      auto [slot, inserted] = key_index.try_emplace(key, encoded.keys.size() + 1);
      if (inserted) encoded.keys.push_back(key);
      mask.push_back('1');
      words.push_back(std::to_string(slot->second));
    }
    encoded.args.push_back(std::to_string(command.size()));
    encoded.args.push_back(std::move(mask));
    encoded.args.insert(encoded.args.end(), words.begin(), words.end());
  }
  return encoded;
}

boost::asio::awaitable<bool> apply_once(redis::Client& client, std::string done_key,
                                        std::vector<redis::Command> effect,
                                        std::chrono::seconds ttl) {
  auto encoded = encode_effect(done_key, effect, ttl);
  auto reply = co_await client.eval(kApplyOnce, std::move(encoded.keys), std::move(encoded.args));
  co_return redis::expect_ok(reply, "apply_once").as_integer() == 1;
}

}  // namespace sangdam::bus
