// Structured logging: one JSON object per line on stderr.
//   {"time":"2026-11-22T02:40:01.123Z","level":"info","service":"gateway",
//    "message":"listening","request_id":"r-1a2b","fields":{"port":8080}}
// Thread-safe; a line is written with one write(2) so lines never interleave.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace sangdam::log {

enum class Level { kDebug, kInfo, kWarn, kError };

// A field value is kept as text; numbers and booleans are written unquoted when raw is true.
struct Field {
  std::string key;
  std::string value;
  bool raw = false;
};
Field field(std::string key, std::string_view value);
// Without this overload a string literal or e.what() would pick the bool one.
inline Field field(std::string key, const char* value) {
  return field(std::move(key), std::string_view(value));
}
Field field(std::string key, long long value);
Field field(std::string key, double value);
Field field(std::string key, bool value);

// Set once at start-up by each service (its name and the least level written).
void init(std::string service, Level min_level = Level::kInfo);
Level parse_level(std::string_view name);  // "debug", "info", "warn", "error"; throws otherwise

void write(Level level, std::string_view message, std::initializer_list<Field> fields = {},
           std::string_view request_id = {});

inline void debug(std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::kDebug, m, f);
}
inline void info(std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::kInfo, m, f);
}
inline void warn(std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::kWarn, m, f);
}
inline void error(std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::kError, m, f);
}

}  // namespace sangdam::log
