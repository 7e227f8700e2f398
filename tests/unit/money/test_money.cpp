#include <catch2/catch.hpp>

#include "matching/money.hpp"

using sangdam::format_amount;
using sangdam::is_currency_code;
using sangdam::parse_amount;

TEST_CASE("amounts parse as exact hundredths") {
  CHECK(parse_amount("1800000.00") == 180000000);
  CHECK(parse_amount("1800000") == 180000000);
  CHECK(parse_amount("0.5") == 50);
  CHECK(parse_amount("7700000.07") == 770000007);
}

TEST_CASE("malformed amounts are refused") {
  for (const char* bad : {"", "-1", "1e6", "1.234", "1.", ".5", "1,000", " 1", "abc", "1.2.3",
                          "99999999999999999999"}) {
    INFO(bad);
    CHECK_FALSE(parse_amount(bad).has_value());
  }
}

TEST_CASE("amounts format with two decimals and round-trip") {
  CHECK(format_amount(180000000) == "1800000.00");
  CHECK(format_amount(5) == "0.05");
  CHECK(format_amount(-150) == "-1.50");
  CHECK(parse_amount(format_amount(123456789)) == 123456789);
}

TEST_CASE("currency codes follow ISO 4217") {
  CHECK(is_currency_code("USD"));
  CHECK(is_currency_code("KRW"));
  CHECK(is_currency_code("VND"));
  CHECK_FALSE(is_currency_code("usd"));
  CHECK_FALSE(is_currency_code("XXX1"));
  CHECK_FALSE(is_currency_code("ABC"));
}
