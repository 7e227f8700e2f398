#include "matching/ledger/rates.hpp"

#include <limits>

#include "matching/error.hpp"
#include "matching/ledger/time_text.hpp"

namespace sangdam::ledger {
namespace {

constexpr int kRateDecimals = 10;

// A 128-bit intermediate: amount (up to 1e17) times rate (up to 1e16) needs 107 bits.
__extension__ typedef __int128 Wide;

std::string join_field(const std::string& prefix, std::string_view name) {
  return prefix.empty() ? std::string(name) : prefix + "." + std::string(name);
}

const rapidjson::Value& required_string(const rapidjson::Value& set, const char* name,
                                        const std::string& prefix) {
  auto it = set.FindMember(name);
  if (it == set.MemberEnd() || !it->value.IsString() || it->value.GetStringLength() == 0) {
    throw_invalid("missing_field", std::string("rate set needs a non-empty string ") + name,
                  join_field(prefix, name));
  }
  return it->value;
}

// Divides with one rounding, half to even: the rule banks and ISO 4217 tables use, and free
// of the upward drift half-up gives over many sums.
Wide divide_half_even(Wide numerator, Wide denominator) {
  bool negative = numerator < 0;
  if (negative) numerator = -numerator;
  Wide quotient = numerator / denominator;
  Wide remainder = numerator % denominator;
  Wide twice = remainder * 2;
  if (twice > denominator || (twice == denominator && quotient % 2 == 1)) ++quotient;
  return negative ? -quotient : quotient;
}

std::int64_t rate_of(const Rates& rates, std::string_view currency) {
  auto it = rates.to_usd.find(currency);
  if (it == rates.to_usd.end()) {
    throw Error(ErrorCode::kUnprocessable, "unknown_currency_rate",
                "no exchange rate for " + std::string(currency) + " in the rates of " + rates.date,
                "currency");
  }
  return it->second;
}

}  // namespace

std::optional<std::int64_t> parse_rate(std::string_view text) {
  if (text.empty() || text.size() > 32) return std::nullopt;
  Wide value = 0;
  std::size_t i = 0;
  std::size_t whole_digits = 0;
  for (; i < text.size() && text[i] != '.'; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    value = value * 10 + (text[i] - '0');
    if (value > kMaxRate / kRateScale) return std::nullopt;
    ++whole_digits;
  }
  if (whole_digits == 0) return std::nullopt;
  int decimals = 0;
  if (i < text.size()) {
    if (i + 1 == text.size()) return std::nullopt;  // "1."
    for (++i; i < text.size(); ++i) {
      if (text[i] < '0' || text[i] > '9' || ++decimals > kRateDecimals) return std::nullopt;
      value = value * 10 + (text[i] - '0');
    }
  }
  for (; decimals < kRateDecimals; ++decimals) value *= 10;
  if (value <= 0 || value > kMaxRate) return std::nullopt;
  return static_cast<std::int64_t>(value);
}

Rates parse_rate_set(const rapidjson::Value& set, const std::string& field_prefix) {
  if (!set.IsObject()) {
    throw_invalid("malformed_rates", "a rate set must be a JSON object",
                  field_prefix.empty() ? "rates" : field_prefix);
  }
  Rates rates;
  rates.date = required_string(set, "date", field_prefix).GetString();
  if (!is_iso_date(rates.date)) {
    throw_invalid("invalid_date", "rate date must be YYYY-MM-DD", join_field(field_prefix, "date"));
  }
  rates.source = required_string(set, "source", field_prefix).GetString();
  std::string table_field = join_field(field_prefix, "rates_to_usd");
  auto table = set.FindMember("rates_to_usd");
  if (table == set.MemberEnd() || !table->value.IsObject()) {
    throw_invalid("missing_field", "rate set needs an object rates_to_usd", table_field);
  }
  for (const auto& entry : table->value.GetObject()) {
    std::string currency(entry.name.GetString(), entry.name.GetStringLength());
    std::string field = table_field + "." + currency;
    if (!is_currency_code(currency)) {
      throw_invalid("unknown_currency", currency + " is not an ISO 4217 currency code", field);
    }
    // Strings only: a JSON number would already have passed through binary floating point.
    auto rate =
        entry.value.IsString()
            ? parse_rate(std::string_view(entry.value.GetString(), entry.value.GetStringLength()))
            : std::nullopt;
    if (!rate) {
      throw_invalid("invalid_rate",
                    "a rate is a decimal string above zero with at most ten decimals", field);
    }
    rates.to_usd.emplace(std::move(currency), *rate);
  }
  auto usd = rates.to_usd.find("USD");
  if (usd == rates.to_usd.end() || usd->second != kRateScale) {
    throw_invalid("invalid_rate", "rates_to_usd must hold USD at exactly \"1\"",
                  table_field + ".USD");
  }
  if (!rates.to_usd.contains("KRW")) {
    throw_invalid("missing_field", "rates_to_usd must hold KRW, a report currency",
                  table_field + ".KRW");
  }
  return rates;
}

Rates rates_for_event(std::string_view config_text, std::string_view event_id) {
  rapidjson::Document doc;
  doc.Parse(config_text.data(), config_text.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    throw_invalid("malformed_rates", "rates configuration is not a JSON object", "rates");
  }
  auto events = doc.FindMember("events");
  if (events == doc.MemberEnd() || !events->value.IsObject()) {
    throw_invalid("missing_field", "rates configuration needs an object \"events\"", "events");
  }
  std::string id(event_id);
  auto chosen = events->value.FindMember(id.c_str());
  if (id.empty() || chosen == events->value.MemberEnd()) {
    id = "default";
    chosen = events->value.FindMember("default");
  }
  if (chosen == events->value.MemberEnd()) {
    throw Error(ErrorCode::kNotFound, "no_rates",
                "no rates for event " + std::string(event_id) + " and no default", "events");
  }
  return parse_rate_set(chosen->value, "events." + id);
}

std::int64_t convert(const Rates& rates, const Money& amount, std::string_view target) {
  if (amount.currency == target) return amount.hundredths;
  // hundredths * from / to: at most 1e17 * 1e16, far inside Wide.
  Wide result =
      divide_half_even(static_cast<Wide>(amount.hundredths) * rate_of(rates, amount.currency),
                       rate_of(rates, target));
  if (result > std::numeric_limits<std::int64_t>::max() ||
      result < std::numeric_limits<std::int64_t>::min()) {
    throw Error(ErrorCode::kUnprocessable, "amount_overflow", "converted amount out of range",
                "amount");
  }
  return static_cast<std::int64_t>(result);
}

std::int64_t convert_total(const Rates& rates,
                           const std::map<std::string, std::int64_t, std::less<>>& by_currency,
                           std::string_view target) {
  std::int64_t total = 0;
  for (const auto& [currency, hundredths] : by_currency) {
    total = checked_add(total, convert(rates, Money{hundredths, currency}, target));
  }
  return total;
}

std::int64_t checked_add(std::int64_t a, std::int64_t b) {
  std::int64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) {
    throw Error(ErrorCode::kUnprocessable, "amount_overflow", "sum of amounts out of range",
                "amount");
  }
  return sum;
}

}  // namespace sangdam::ledger
