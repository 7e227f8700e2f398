#include "matching/money.hpp"

#include <algorithm>
#include <iterator>

namespace sangdam {

std::optional<std::int64_t> parse_amount(std::string_view text) {
  if (text.empty() || text.size() > 24) return std::nullopt;
  std::int64_t whole = 0;
  std::size_t i = 0;
  std::size_t digits = 0;
  for (; i < text.size() && text[i] != '.'; ++i) {
    char c = text[i];
    if (c < '0' || c > '9') return std::nullopt;
    whole = whole * 10 + (c - '0');
    if (whole > kMaxMoneyHundredths / 100) return std::nullopt;
    ++digits;
  }
  if (digits == 0) return std::nullopt;
  std::int64_t fraction = 0;
  if (i < text.size()) {  // text[i] == '.'
    std::size_t decimals = text.size() - i - 1;
    if (decimals == 0 || decimals > 2) return std::nullopt;
    for (std::size_t k = i + 1; k < text.size(); ++k) {
      char c = text[k];
      if (c < '0' || c > '9') return std::nullopt;
      fraction = fraction * 10 + (c - '0');
    }
    if (decimals == 1) fraction *= 10;
  }
  std::int64_t total = whole * 100 + fraction;
  if (total > kMaxMoneyHundredths) return std::nullopt;
  return total;
}

std::string format_amount(std::int64_t hundredths) {
  bool negative = hundredths < 0;
  std::uint64_t v = negative ? static_cast<std::uint64_t>(-(hundredths + 1)) + 1
                             : static_cast<std::uint64_t>(hundredths);
  // Appended piece by piece: g++ 12 warns falsely (-Wrestrict) on "literal" + std::string.
  std::string out = negative ? "-" : "";
  out += std::to_string(v / 100);
  out += v % 100 < 10 ? ".0" : ".";
  out += std::to_string(v % 100);
  return out;
}

bool is_currency_code(std::string_view code) {
  // ISO 4217 active codes (2024 list), sorted for binary search.
  static constexpr std::string_view kCodes[] = {
      "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
      "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD",
      "CDF", "CHF", "CLP", "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD",
      "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ",
      "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD",
      "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR",
      "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR",
      "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN",
      "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR",
      "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SYP", "SZL", "THB", "TJS",
      "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS", "VES",
      "VND", "VUV", "WST", "XAF", "XCD", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWL"};
  return std::binary_search(std::begin(kCodes), std::end(kCodes), code);
}

}  // namespace sangdam
