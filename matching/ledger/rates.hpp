// Exchange rates of one trade event, as named in config/rates.json: the report converts every
// amount from its original currency to USD and KRW with these, and says which rates it used
// (date and source), so that the published figures can be checked by hand.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "matching/money.hpp"

namespace sangdam::ledger {

// Rates are exact decimals with ten places held as integers: "0.000770" -> 7'700'000.
inline constexpr std::int64_t kRateScale = 10'000'000'000;
// No currency is worth more than a million USD per unit; the bound keeps products in range.
inline constexpr std::int64_t kMaxRate = 1'000'000 * kRateScale;

struct Rates {
  std::string date;    // YYYY-MM-DD the rates were taken on
  std::string source;  // who published them, e.g. "Bank of Korea ECOS, basic rate"
  std::map<std::string, std::int64_t, std::less<>> to_usd;  // currency -> USD per unit, scaled
};

// The currencies every report shows totals in.
inline constexpr std::string_view kReportCurrencies[] = {"USD", "KRW"};

// Parses one rate set {"date", "source", "rates_to_usd": {"USD": "1", "KRW": "0.00077"}}.
// Rates are JSON strings (never floats) with at most ten decimals, above zero and at most
// kMaxRate. USD must be exactly "1" and KRW present (the report's two target currencies).
// field_prefix names where the set sits, for error fields ("events.default").
// Throws Error(kInvalidArgument, reason, message, field) on anything else.
Rates parse_rate_set(const rapidjson::Value& set, const std::string& field_prefix = {});

// Picks the set for event_id from the config file text ({"events": {"<id>"|"default": set}}),
// falling back to "default". Throws as parse_rate_set, or kNotFound "no_rates" when neither
// the event nor "default" is present.
Rates rates_for_event(std::string_view config_text, std::string_view event_id);

// Parses "0.000770" into kRateScale units; nullopt when not a valid rate.
std::optional<std::int64_t> parse_rate(std::string_view text);

// amount (hundredths of its currency) in hundredths of target, exact to the last digit and
// rounded half to even once. Throws Error(kUnprocessable, "unknown_currency_rate", field
// "currency") when either currency has no rate, "amount_overflow" when out of range.
std::int64_t convert(const Rates& rates, const Money& amount, std::string_view target);

// Sum of amounts kept per original currency, converted per currency (one rounding each) and
// added: the result does not depend on the order amounts arrived in.
std::int64_t convert_total(const Rates& rates,
                           const std::map<std::string, std::int64_t, std::less<>>& by_currency,
                           std::string_view target);

// a + b, throwing Error(kUnprocessable, "amount_overflow") instead of wrapping.
std::int64_t checked_add(std::int64_t a, std::int64_t b);

}  // namespace sangdam::ledger
