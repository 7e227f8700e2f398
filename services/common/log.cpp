#include "services/common/log.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <stdexcept>

#include "services/common/json.hpp"

namespace sangdam::log {

namespace {
std::string g_service = "sangdam";
std::atomic<Level> g_min_level{Level::kInfo};

std::string_view level_name(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

std::string utc_now() {
  auto now = std::chrono::system_clock::now();
  auto secs = std::chrono::system_clock::to_time_t(now);
  auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(millis));
  return buf;
}
}  // namespace

Field field(std::string key, std::string_view value) {
  return {std::move(key), std::string(value)};
}
Field field(std::string key, long long value) {
  return {std::move(key), std::to_string(value), true};
}
Field field(std::string key, double value) {
  return {std::move(key), std::to_string(value), true};
}
Field field(std::string key, bool value) {
  return {std::move(key), value ? "true" : "false", true};
}

void init(std::string service, Level min_level) {
  g_service = std::move(service);
  g_min_level = min_level;
}

Level parse_level(std::string_view name) {
  if (name == "debug") return Level::kDebug;
  if (name == "info") return Level::kInfo;
  if (name == "warn") return Level::kWarn;
  if (name == "error") return Level::kError;
  throw std::invalid_argument("unknown log level '" + std::string(name) +
                              "' (debug, info, warn, error)");
}

void write(Level level, std::string_view message, std::initializer_list<Field> fields,
           std::string_view request_id) {
  if (level < g_min_level.load(std::memory_order_relaxed)) return;
  std::string line = "{\"time\":\"" + utc_now() + "\",\"level\":\"";
  line += level_name(level);
  line += "\",\"service\":";
  line += json::quote(g_service);
  line += ",\"message\":";
  line += json::quote(message);
  if (!request_id.empty()) {
    line += ",\"request_id\":";
    line += json::quote(request_id);
  }
  if (fields.size() > 0) {
    line += ",\"fields\":{";
    bool first = true;
    for (const auto& f : fields) {
      if (!first) line += ',';
      first = false;
      line += json::quote(f.key);
      line += ':';
      line += f.raw ? f.value : json::quote(f.value);
    }
    line += '}';
  }
  line += "}\n";
  // One write(2) per line: lines from different threads never interleave.
  [[maybe_unused]] auto n = ::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace sangdam::log
