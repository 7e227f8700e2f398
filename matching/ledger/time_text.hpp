// Dates and times as the ledger's records carry them in JSON: calendar dates "2023-09-13" and
// RFC 3339 instants "2023-09-13T10:30:00+09:00". Kept apart so that every record parses them
// the same way.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace sangdam::ledger {

// True for "YYYY-MM-DD" naming a real day of the Gregorian calendar (years 1900..9999).
bool is_iso_date(std::string_view text);

// Parses an RFC 3339 instant with 'Z' or a numeric offset; fractional seconds are dropped.
// nullopt on anything else.
std::optional<std::chrono::sys_seconds> parse_rfc3339(std::string_view text);

// "2023-09-13T01:30:00Z": always UTC, always seconds.
std::string format_rfc3339(std::chrono::sys_seconds when);

}  // namespace sangdam::ledger
