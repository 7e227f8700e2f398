// The event report: consultations held and their value, MOUs, contracts, no-shows, and how
// fairly meetings were spread, in total and broken down by buyer country, company, category,
// day and venue. A pure function of the ledger's raw records and the event's rates: the
// service may recompute it from the stored records at any time and must get the same numbers.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "matching/ledger/ledger.hpp"
#include "matching/ledger/rates.hpp"

namespace sangdam::ledger {

// An amount summed per original currency, and the same converted to the report currencies.
struct MoneyTotal {
  std::map<std::string, std::int64_t, std::less<>> by_currency;  // hundredths, never converted
  std::int64_t usd = 0;  // hundredths of USD: convert_total(by_currency, "USD")
  std::int64_t krw = 0;  // hundredths of KRW

  friend bool operator==(const MoneyTotal&, const MoneyTotal&) = default;
};

// Scheduled meetings per participant over a population (see docs/ledger.md for who counts).
struct Spread {
  int participants = 0;
  int min = 0;
  std::string median = "0";  // exact: "3" or "3.5"
  int max = 0;

  friend bool operator==(const Spread&, const Spread&) = default;
};

// The dimensions of the breakdown, in report order.
inline constexpr std::string_view kDimensions[] = {"buyer_country", "company", "category", "day",
                                                   "venue"};
// Key of a line whose value is missing (a meeting without venue, a deal without meeting).
inline constexpr std::string_view kNoneKey = "(none)";

struct ReportLine {
  std::string dimension;  // "total" or one of kDimensions
  std::string key;        // "all", a country code, company id, category, day, venue id
  std::string label;      // company lines: its registered name (else from a meeting); else key
  int meetings = 0;       // scheduled (not cancelled)
  int reported = 0;       // with at least one outcome report
  int held = 0;
  int no_shows = 0;
  std::string no_show_rate;  // no_shows / (held + no_shows), 4 decimals; empty when 0/0
  int disputed = 0;          // the reports disagree on held / no-show
  int follow_ups = 0;
  std::array<int, 4> ratings{};  // meetings per Rating, indexed by its value
  MoneyTotal held_value;         // consultation value of held meetings
  int mous = 0;                  // deals not cancelled
  MoneyTotal mou_value;
  int contracts = 0;
  MoneyTotal contract_value;
  int on_site_contracts = 0;
  MoneyTotal on_site_contract_value;
  Spread buyers;     // meetings per buyer
  Spread companies;  // meetings per company

  friend bool operator==(const ReportLine&, const ReportLine&) = default;
};

struct Report {
  std::string rates_date;
  std::string rates_source;
  ReportLine total;
  std::vector<ReportLine> lines;  // by dimension (kDimensions order), then key

  friend bool operator==(const Report&, const Report&) = default;
};

// Throws Error(kUnprocessable, "unknown_currency_rate") when an amount's currency has no rate.
Report compute_report(const LedgerState& state, const Rates& rates);

// {"rates": {...}, "totals": line, "breakdowns": {"buyer_country": [line, ...], ...}}
std::string to_json(const Report& report);

// RFC 4180: a header row, then one row per line (the total first, dimension "total"), CRLF.
std::string to_csv(const Report& report);

// "0.0870": numerator / denominator with the given decimals, rounded half to even.
// Empty when denominator is 0.
std::string format_ratio(std::int64_t numerator, std::int64_t denominator, int decimals);

}  // namespace sangdam::ledger
