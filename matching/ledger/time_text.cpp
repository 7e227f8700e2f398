#include "matching/ledger/time_text.hpp"

#include <date/date.h>

#include <sstream>

namespace sangdam::ledger {
namespace {

bool digits_at(std::string_view text, std::size_t from, std::size_t count) {
  if (from + count > text.size()) return false;
  for (std::size_t i = from; i < from + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  return true;
}

int number_at(std::string_view text, std::size_t from, std::size_t count) {
  int value = 0;
  for (std::size_t i = from; i < from + count; ++i) value = value * 10 + (text[i] - '0');
  return value;
}

}  // namespace

bool is_iso_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  if (!digits_at(text, 0, 4) || !digits_at(text, 5, 2) || !digits_at(text, 8, 2)) return false;
  int year = number_at(text, 0, 4);
  if (year < 1900) return false;
  date::year_month_day day{date::year{year},
                           date::month{static_cast<unsigned>(number_at(text, 5, 2))},
                           date::day{static_cast<unsigned>(number_at(text, 8, 2))}};
  return day.ok();
}

std::optional<std::chrono::sys_seconds> parse_rfc3339(std::string_view text) {
  // 2023-09-13T10:30:00[.fff](Z|+09:00): checked by hand because date::parse accepts more
  // than RFC 3339 allows (single-digit fields, missing offset).
  if (text.size() < 20 || !is_iso_date(text.substr(0, 10))) return std::nullopt;
  if (text[10] != 'T' && text[10] != 't') return std::nullopt;
  if (!digits_at(text, 11, 2) || text[13] != ':' || !digits_at(text, 14, 2) || text[16] != ':' ||
      !digits_at(text, 17, 2)) {
    return std::nullopt;
  }
  int hour = number_at(text, 11, 2);
  int minute = number_at(text, 14, 2);
  int second = number_at(text, 17, 2);
  if (hour > 23 || minute > 59 || second > 60) return std::nullopt;  // 60: leap second
  std::size_t i = 19;
  if (i < text.size() && text[i] == '.') {
    std::size_t start = ++i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    if (i == start) return std::nullopt;
  }
  std::chrono::seconds offset{0};
  std::string_view zone = text.substr(i);
  if (zone == "Z" || zone == "z") {
    // UTC
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && digits_at(zone, 1, 2) &&
             zone[3] == ':' && digits_at(zone, 4, 2)) {
    int oh = number_at(zone, 1, 2);
    int om = number_at(zone, 4, 2);
    if (oh > 23 || om > 59) return std::nullopt;
    offset = std::chrono::hours(oh) + std::chrono::minutes(om);
    if (zone[0] == '-') offset = -offset;
  } else {
    return std::nullopt;
  }
  date::year_month_day day{date::year{number_at(text, 0, 4)},
                           date::month{static_cast<unsigned>(number_at(text, 5, 2))},
                           date::day{static_cast<unsigned>(number_at(text, 8, 2))}};
  std::chrono::sys_seconds local_as_utc = date::sys_days(day) + std::chrono::hours(hour) +
                                          std::chrono::minutes(minute) +
                                          std::chrono::seconds(second);
  return local_as_utc - offset;
}

std::string format_rfc3339(std::chrono::sys_seconds when) {
  return date::format("%Y-%m-%dT%H:%M:%SZ", when);
}

}  // namespace sangdam::ledger
