// Money as the API carries it: {"amount": "1800000.00", "currency": "USD"}. Amounts are exact
// decimals held as a count of hundredths (never binary floating point); every amount keeps
// its original ISO 4217 currency.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sangdam {

struct Money {
  std::int64_t hundredths = 0;  // 1800000.00 -> 180000000
  std::string currency;         // ISO 4217, upper case, e.g. "USD", "KRW"

  friend bool operator==(const Money&, const Money&) = default;
};

// Largest amount we accept: 10^15 units (a quadrillion) keeps every sum far from overflow.
inline constexpr std::int64_t kMaxMoneyHundredths = 100'000'000'000'000'000LL;

// Parses "1800000", "1800000.5", "1800000.00" (no sign, no exponent, at most two decimals,
// at most kMaxMoneyHundredths). Returns nullopt on anything else.
std::optional<std::int64_t> parse_amount(std::string_view text);

// "1800000.00": always two decimals, no grouping.
std::string format_amount(std::int64_t hundredths);

// True for three upper-case ASCII letters that name a currency we know (ISO 4217 list).
bool is_currency_code(std::string_view code);

}  // namespace sangdam
