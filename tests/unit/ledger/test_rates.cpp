#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "ledger_fixtures.hpp"
#include "matching/error.hpp"
#include "matching/ledger/rates.hpp"

using namespace sangdam;
using namespace sangdam::ledger;
using sangdam::ledger::testing::sample_rates;

namespace {

Rates parse_set(const char* json) {
  rapidjson::Document doc;
  doc.Parse(json);
  return parse_rate_set(doc, "events.default");
}

std::string reason_of(const char* json) {
  try {
    parse_set(json);
  } catch (const Error& e) {
    return e.reason() + "@" + e.field();
  }
  return "accepted";
}

}  // namespace

TEST_CASE("rates parse as exact ten-decimal integers") {
  CHECK(parse_rate("1") == kRateScale);
  CHECK(parse_rate("0.000770") == 7'700'000);
  CHECK(parse_rate("0.0000000001") == 1);
  CHECK(parse_rate("1.0730") == 10'730'000'000);
  CHECK(parse_rate("1000000") == kMaxRate);
  for (const char* bad : {"", "0", "0.0", "-1", "1e-3", "0.00000000001", "1.", ".5", "1,5",
                          "1000000.1", " 1", "abc"}) {
    INFO(bad);
    CHECK_FALSE(parse_rate(bad).has_value());
  }
}

TEST_CASE("conversion is exact and rounds once, half to even") {
  Rates rates = sample_rates();
  // USD 7.7M at 0.00077 USD per KRW is exactly KRW 10bn (the press release's "about 10bn").
  CHECK(convert(rates, Money{770'000'000, "USD"}, "KRW") == 1'000'000'000'000);
  CHECK(convert(rates, Money{1'000'000'000'000, "KRW"}, "USD") == 770'000'000);
  // USD 2.1M -> KRW 2,727,272,727.2727...: rounds down to .27
  CHECK(convert(rates, Money{210'000'000, "USD"}, "KRW") == 272'727'272'727);
  // Same currency: untouched.
  CHECK(convert(rates, Money{12345, "VND"}, "VND") == 12345);
  // Half to even: 0.50 hundredths rounds to 0, 1.50 to 2, 2.50 to 2.
  Rates halves;
  halves.to_usd = {{"USD", kRateScale}, {"EUR", kRateScale / 2}};  // 1 EUR = 0.5 USD
  CHECK(convert(halves, Money{1, "EUR"}, "USD") == 0);             // 0.005 -> 0.00
  CHECK(convert(halves, Money{3, "EUR"}, "USD") == 2);             // 0.015 -> 0.02
  CHECK(convert(halves, Money{5, "EUR"}, "USD") == 2);             // 0.025 -> 0.02
  CHECK(convert(halves, Money{7, "EUR"}, "USD") == 4);             // 0.035 -> 0.04
  // Largest amount against the largest rate stays exact (no binary floating point anywhere).
  Rates extreme;
  extreme.to_usd = {{"USD", kRateScale}, {"KWD", kMaxRate}};
  CHECK(convert(extreme, Money{100'000, "KWD"}, "USD") == 100'000'000'000);
}

TEST_CASE("totals convert per original currency, independent of arrival order") {
  Rates rates = sample_rates();
  std::map<std::string, std::int64_t, std::less<>> by_currency = {
      {"USD", 100}, {"KRW", 130'000}, {"VND", 2'415'500'000}};
  // USD 1.00 + KRW 1300 (USD 1.001) + VND 24,155,000 (USD 1000.0170)
  CHECK(convert_total(rates, by_currency, "USD") == 100 + 100 + 100'002);
}

TEST_CASE("missing rates and overflow are errors, not wrong numbers") {
  Rates rates = sample_rates();
  try {
    convert(rates, Money{100, "THB"}, "USD");
    FAIL("THB has no rate");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kUnprocessable);
    CHECK(e.reason() == "unknown_currency_rate");
  }
  CHECK_THROWS_AS(checked_add(std::numeric_limits<std::int64_t>::max(), 1), Error);
  Rates tiny;
  tiny.to_usd = {{"USD", kRateScale}, {"XAF", 1}};
  CHECK_THROWS_AS(convert(tiny, Money{kMaxMoneyHundredths, "USD"}, "XAF"), Error);
}

TEST_CASE("a rate set must name date and source and hold USD and KRW") {
  CHECK(reason_of(
            R"({"date":"2023-09-13","source":"BoK","rates_to_usd":{"USD":"1","KRW":"0.00077"}})") ==
        "accepted");
  CHECK(reason_of(R"({"source":"BoK","rates_to_usd":{"USD":"1","KRW":"0.00077"}})") ==
        "missing_field@events.default.date");
  CHECK(reason_of(
            R"({"date":"2023-02-30","source":"BoK","rates_to_usd":{"USD":"1","KRW":"0.00077"}})") ==
        "invalid_date@events.default.date");
  CHECK(reason_of(
            R"({"date":"2023-09-13","source":"","rates_to_usd":{"USD":"1","KRW":"0.00077"}})") ==
        "missing_field@events.default.source");
  CHECK(reason_of(
            R"({"date":"2023-09-13","source":"BoK","rates_to_usd":{"USD":"1","KRW":0.00077}})") ==
        "invalid_rate@events.default.rates_to_usd.KRW");
  CHECK(
      reason_of(
          R"({"date":"2023-09-13","source":"BoK","rates_to_usd":{"USD":"1.1","KRW":"0.00077"}})") ==
      "invalid_rate@events.default.rates_to_usd.USD");
  CHECK(reason_of(R"({"date":"2023-09-13","source":"BoK","rates_to_usd":{"USD":"1"}})") ==
        "missing_field@events.default.rates_to_usd.KRW");
  CHECK(
      reason_of(
          R"({"date":"2023-09-13","source":"BoK","rates_to_usd":{"USD":"1","KRW":"0.00077","ABC":"1"}})") ==
      "unknown_currency@events.default.rates_to_usd.ABC");
  CHECK(reason_of(R"([])") == "malformed_rates@events.default");
}

TEST_CASE("config/rates.json loads, with a fallback to default") {
  std::ifstream file(std::string(SANGDAM_SOURCE_DIR) + "/config/rates.json");
  REQUIRE(file);
  std::stringstream text;
  text << file.rdbuf();
  Rates rates = rates_for_event(text.str(), "ev_any");
  CHECK(rates.date == "2023-09-13");
  CHECK_FALSE(rates.source.empty());
  CHECK(rates.to_usd.at("USD") == kRateScale);
  CHECK(rates.to_usd.at("KRW") == 7'700'000);
  CHECK(rates.to_usd.contains("VND"));

  std::string own =
      R"({"events":{"ev1":{"date":"2024-01-02","source":"own","rates_to_usd":{"USD":"1","KRW":"0.00075"}}}})";
  CHECK(rates_for_event(own, "ev1").to_usd.at("KRW") == 7'500'000);
  try {
    rates_for_event(own, "ev2");
    FAIL("no default");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kNotFound);
    CHECK(e.reason() == "no_rates");
  }
  CHECK_THROWS_AS(rates_for_event("not json", "ev1"), Error);
}
