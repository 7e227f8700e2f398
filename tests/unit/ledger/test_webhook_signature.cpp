#include <catch2/catch.hpp>

#include "matching/error.hpp"
#include "matching/webhook/signature.hpp"

using namespace sangdam::webhook;

namespace {
constexpr std::string_view kBody = R"({"type":"deal.signed","deal":"d1"})";
}

TEST_CASE("signatures are HMAC-SHA256 over timestamp.body") {
  // Expected value from Python's hmac module, an independent implementation.
  CHECK(sign("whsec_test", "1694563200", kBody) ==
        "sha256=52d4894106ce9f1d98744427a8f6b359b7b350d72e8d2a2a04d7fb30038b4070");
  CHECK_THROWS_AS(sign("", "1694563200", kBody), sangdam::Error);
}

TEST_CASE("verify accepts only the exact signature") {
  std::string good = sign("whsec_test", "1694563200", kBody);
  CHECK(verify("whsec_test", "1694563200", kBody, good));
  CHECK_FALSE(verify("whsec_other", "1694563200", kBody, good));
  CHECK_FALSE(verify("whsec_test", "1694563201", kBody, good));
  CHECK_FALSE(verify("whsec_test", "1694563200", R"({"type":"deal.signed","deal":"d2"})", good));
  std::string flipped = good;
  flipped.back() = flipped.back() == '0' ? '1' : '0';
  CHECK_FALSE(verify("whsec_test", "1694563200", kBody, flipped));
  CHECK_FALSE(verify("whsec_test", "1694563200", kBody, good.substr(0, 20)));
  CHECK_FALSE(verify("whsec_test", "1694563200", kBody, ""));
  CHECK_FALSE(verify("", "1694563200", kBody, good));
}

TEST_CASE("timestamps older or newer than the allowed skew are stale") {
  std::chrono::sys_seconds now{std::chrono::seconds(1694563200)};
  auto skew = std::chrono::seconds(300);
  CHECK(is_fresh("1694563200", now, skew));
  CHECK(is_fresh("1694562900", now, skew));
  CHECK(is_fresh("1694563500", now, skew));
  CHECK_FALSE(is_fresh("1694562899", now, skew));
  CHECK_FALSE(is_fresh("1694563501", now, skew));
  for (const char* bad :
       {"", "abc", "16945632OO", "1694563200 ", "-9223372036854775808", "99999999999999999999"}) {
    INFO(bad);
    CHECK_FALSE(is_fresh(bad, now, skew));
  }
}
