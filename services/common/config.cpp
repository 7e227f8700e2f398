#include "services/common/config.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "matching/error.hpp"

extern char** environ;

namespace sangdam {

namespace {

namespace fs = std::filesystem;

// A leaf of the configuration tree, as text: overrides from the environment are text too.
struct Leaf {
  std::string text;
  bool is_string = false;
};
using Leaves = std::map<std::string, Leaf>;

void flatten(const rapidjson::Value& value, const std::string& path, Leaves& out) {
  if (value.IsObject()) {
    for (auto it = value.MemberBegin(); it != value.MemberEnd(); ++it) {
      std::string key = it->name.GetString();
      flatten(it->value, path.empty() ? key : path + "." + key, out);
    }
  } else if (value.IsString()) {
    out[path] = {value.GetString(), true};
  } else if (value.IsBool()) {
    out[path] = {value.GetBool() ? "true" : "false", false};
  } else if (value.IsInt64()) {
    out[path] = {std::to_string(value.GetInt64()), false};
  } else {
    throw ConfigError("config: " + path + ": only objects, strings, integers and booleans");
  }
}

std::string env_name(const std::string& path) {
  std::string name = "SANGDAM_";
  for (char c : path) name += c == '.' ? '_' : static_cast<char>(std::toupper(c));
  return name;
}

class Reader {
 public:
  explicit Reader(const Leaves& leaves) : leaves_(leaves) {}

  std::string text(const std::string& key, const std::string& fallback) const {
    auto it = leaves_.find(key);
    return it == leaves_.end() ? fallback : it->second.text;
  }

  long long integer(const std::string& key, long long fallback, long long min,
                    long long max) const {
    auto it = leaves_.find(key);
    if (it == leaves_.end()) return fallback;
    const std::string& t = it->second.text;
    long long v = 0;
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec != std::errc() || end != t.data() + t.size() || v < min || v > max) {
      throw ConfigError("config: " + key + ": must be an integer in " + std::to_string(min) + ".." +
                        std::to_string(max) + " (got '" + t + "')");
    }
    return v;
  }

  bool flag(const std::string& key, bool fallback) const {
    auto it = leaves_.find(key);
    if (it == leaves_.end()) return fallback;
    if (it->second.text == "true") return true;
    if (it->second.text == "false") return false;
    throw ConfigError("config: " + key + ": must be true or false (got '" + it->second.text + "')");
  }

 private:
  const Leaves& leaves_;
};

fs::path default_config_path() {
  // The executable lives in <build>/services/<svc>; the source tree is found by walking up
  // until config/default.json appears. SANGDAM_CONFIG overrides this.
  std::error_code ec;
  fs::path dir = fs::read_symlink("/proc/self/exe", ec).parent_path();
  for (int i = 0; i < 6 && !dir.empty(); ++i) {
    if (fs::exists(dir / "config" / "default.json")) return dir / "config" / "default.json";
    if (dir == dir.parent_path()) break;
    dir = dir.parent_path();
  }
  return fs::current_path() / "config" / "default.json";
}

}  // namespace

const ServiceEndpoint& Config::service(const std::string& name) const {
  auto it = services.find(name);
  if (it == services.end()) throw ConfigError("config: services." + name + ": missing");
  return it->second;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError("cannot read " + path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

Config load_config(const std::string& path, const std::map<std::string, std::string>& env) {
  std::string text = read_file(path);
  rapidjson::Document doc;
  doc.Parse(text.c_str(), text.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    throw ConfigError("config: " + path + ": not a JSON object (" +
                      rapidjson::GetParseError_En(doc.GetParseError()) + " at offset " +
                      std::to_string(doc.GetErrorOffset()) + ")");
  }
  Leaves leaves;
  flatten(doc, "", leaves);

  // Environment overrides, for keys the file has. Service shorthands: SANGDAM_GATEWAY_PORT.
  for (auto& [key, leaf] : leaves) {
    std::string name = env_name(key);
    auto it = env.find(name);
    if (it == env.end() && key.rfind("services.", 0) == 0) {
      it = env.find(env_name(key.substr(std::string("services.").size())));
    }
    if (it != env.end()) leaf.text = it->second;
  }

  Reader r(leaves);
  Config c;
  c.config_dir = fs::absolute(fs::path(path)).parent_path().string();
  c.log_level = r.text("log_level", c.log_level);
  if (c.log_level != "debug" && c.log_level != "info" && c.log_level != "warn" &&
      c.log_level != "error") {
    throw ConfigError("config: log_level: one of debug, info, warn, error (got '" + c.log_level +
                      "')");
  }
  c.admin_token = r.text("admin_token", "");
  if (!c.admin_token.empty() && c.admin_token.size() < 16) {
    throw ConfigError("config: admin_token: at least 16 characters");
  }
  c.redis_host = r.text("redis.host", c.redis_host);
  if (c.redis_host.empty()) throw ConfigError("config: redis.host: must not be empty");
  c.redis_port = static_cast<int>(r.integer("redis.port", c.redis_port, 1, 65535));
  c.redis_password = r.text("redis.password", "");
  c.redis_connect_timeout =
      std::chrono::milliseconds(r.integer("redis.connect_timeout_ms", 2000, 10, 60000));
  c.redis_command_timeout =
      std::chrono::milliseconds(r.integer("redis.command_timeout_ms", 2000, 10, 60000));

  c.bus_prefix = r.text("bus.prefix", c.bus_prefix);
  if (c.bus_prefix.empty()) throw ConfigError("config: bus.prefix: must not be empty");
  c.bus_partitions = static_cast<int>(r.integer("bus.partitions", 1, 1, 1024));
  c.bus_max_len = r.integer("bus.max_len", 100000, 100, 1'000'000'000);
  c.bus_batch = static_cast<int>(r.integer("bus.batch", 64, 1, 10000));
  c.bus_block = std::chrono::milliseconds(r.integer("bus.block_ms", 1000, 10, 60000));
  c.bus_max_deliveries = static_cast<int>(r.integer("bus.max_deliveries", 5, 1, 1000));
  c.bus_claim_idle =
      std::chrono::milliseconds(r.integer("bus.claim_idle_ms", 30000, 100, 86'400'000));
  c.intake_stream = r.text("intake.stream", c.intake_stream);
  if (c.intake_stream.empty()) throw ConfigError("config: intake.stream: must not be empty");
  c.webhooks_backoff_base =
      std::chrono::milliseconds(r.integer("webhooks.backoff_base_ms", 1000, 1, 3'600'000));
  c.webhooks_backoff_cap =
      std::chrono::milliseconds(r.integer("webhooks.backoff_cap_ms", 300000, 1, 86'400'000));
  if (c.webhooks_backoff_cap < c.webhooks_backoff_base) {
    throw ConfigError("config: webhooks.backoff_cap_ms: must not be below backoff_base_ms");
  }
  c.webhooks_max_attempts = static_cast<int>(r.integer("webhooks.max_attempts", 8, 1, 100));
  c.webhooks_attempt_timeout =
      std::chrono::milliseconds(r.integer("webhooks.attempt_timeout_ms", 5000, 100, 60000));
  c.webhooks_poll = std::chrono::milliseconds(r.integer("webhooks.poll_ms", 250, 10, 10000));
  c.webhooks_max_in_flight = static_cast<int>(r.integer("webhooks.max_in_flight", 16, 1, 1000));
  c.webhooks_allow_internal = r.flag("webhooks.allow_internal_addresses", false);
  c.webhooks_ca_file = r.text("webhooks.ca_file", "");
  if (const std::string key = r.text("webhooks.secret_key", ""); !key.empty()) {
    try {
      c.webhooks_secret_key = webhook::parse_secret_key(key);
    } catch (const Error&) {
      throw ConfigError("config: webhooks.secret_key: must be 64 hex digits (32 bytes)");
    }
  }

  for (const auto& [key, leaf] : leaves) {
    if (key.rfind("services.", 0) != 0) continue;
    auto rest = key.substr(9);
    auto dot = rest.find('.');
    if (dot == std::string::npos) throw ConfigError("config: " + key + ": must be an object");
    std::string name = rest.substr(0, dot);
    if (c.services.count(name)) continue;
    std::string base = "services." + name + ".";
    ServiceEndpoint ep;
    ep.address = r.text(base + "address", "127.0.0.1");
    if (ep.address.empty()) throw ConfigError("config: " + base + "address: must not be empty");
    ep.port = static_cast<unsigned short>(r.integer(base + "port", 0, 0, 65535));
    ep.threads = static_cast<int>(r.integer(base + "threads", 1, 1, 256));
    c.services[name] = ep;
  }
  for (const auto& [key, leaf] : leaves) {
    if (key.rfind("files.", 0) != 0) continue;
    fs::path p(leaf.text);
    if (p.is_relative()) p = fs::path(c.config_dir) / p;
    c.files[key.substr(6)] = p.lexically_normal().string();
  }
  return c;
}

Config load_config_from_environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view kv(*e);
    auto eq = kv.find('=');
    if (eq == std::string_view::npos || kv.substr(0, 8) != "SANGDAM_") continue;
    env.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  auto it = env.find("SANGDAM_CONFIG");
  std::string path = it != env.end() ? it->second : default_config_path().string();
  return load_config(path, env);
}

}  // namespace sangdam
