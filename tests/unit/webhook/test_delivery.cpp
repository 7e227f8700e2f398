// The pure parts of webhook deliveries: registration input, type matching, delivery ids, the
// body every attempt sends, and the retry schedule.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <set>

#include "matching/error.hpp"
#include "matching/webhook/delivery.hpp"

using namespace sangdam;
using namespace sangdam::webhook;
using namespace std::chrono_literals;

namespace {

// The reason and field of the Error that fn throws (fails the test when it throws none).
template <class Fn>
std::pair<std::string, std::string> rejection(Fn fn) {
  try {
    fn();
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kInvalidArgument);
    return {e.reason(), e.field()};
  }
  FAIL("no error thrown");
  return {};
}

}  // namespace

TEST_CASE("webhook url: http and https with host, port and target") {
  auto a = parse_url("http://127.0.0.1:9000/hooks/sangdam?x=1");
  CHECK(a.scheme == "http");
  CHECK(a.host == "127.0.0.1");
  CHECK(a.port == "9000");
  CHECK(a.target == "/hooks/sangdam?x=1");

  auto b = parse_url("HTTPS://Example.org");
  CHECK(b.scheme == "https");
  CHECK(b.host == "Example.org");
  CHECK(b.port == "443");
  CHECK(b.target == "/");

  auto c = parse_url("http://[::1]:8080?q");
  CHECK(c.host == "::1");
  CHECK(c.port == "8080");
  CHECK(c.target == "/?q");

  CHECK(parse_url("http://crm.example.com:080/in").port == "80");
}

TEST_CASE("webhook url: everything else is invalid_url naming the field") {
  for (const char* bad :
       {"", "ftp://example.org/", "example.org/hook", "http://", "http:///path",
        "http://user:pw@example.org/", "http://example.org:0/", "http://example.org:65536/",
        "http://example.org:/", "http://example.org:8x/", "http://exa mple.org/",
        "http://example.org/a b", "http://example.org/#frag", "http://[::1/", "http://[zz]/",
        "http://example..org/", "http://-/x\x01", "http://example.org/\xc3\xa9"}) {
    INFO(bad);
    auto [reason, field] = rejection([&] { parse_url(bad, "url"); });
    CHECK(reason == "invalid_url");
    CHECK(field == "url");
  }
  std::string long_url = "http://example.org/" + std::string(kMaxUrlLength, 'a');
  CHECK(rejection([&] { parse_url(long_url); }).first == "invalid_url");
}

TEST_CASE("webhook registration: a valid body is read whole") {
  auto r = read_registration(
      R"({"url":"http://127.0.0.1:9/h","types":["meeting.cancelled","outcome.reported"],"description":"CRM"})");
  CHECK(r.url == "http://127.0.0.1:9/h");
  CHECK(r.types == std::vector<std::string>{"meeting.cancelled", "outcome.reported"});
  CHECK(r.description == "CRM");

  auto all = read_registration(R"({"url":"https://crm.example.com/in","types":["*"]})");
  CHECK(all.types == std::vector<std::string>{"*"});
  CHECK(all.description.empty());
}

TEST_CASE("webhook registration: bad input names reason and field") {
  struct Case {
    const char* body;
    const char* reason;
    const char* field;
  };
  for (const auto& c : std::vector<Case>{
           {R"(not json)", "malformed_json", ""},
           {R"([1])", "malformed_json", ""},
           {R"({"types":["*"]})", "missing_field", "url"},
           {R"({"url":7,"types":["*"]})", "invalid_url", "url"},
           {R"({"url":"mailto:x@y","types":["*"]})", "invalid_url", "url"},
           {R"({"url":"http://h/"})", "missing_field", "types"},
           {R"({"url":"http://h/","types":[]})", "invalid_types", "types"},
           {R"({"url":"http://h/","types":"*"})", "invalid_types", "types"},
           {R"({"url":"http://h/","types":["meeting.placed",3]})", "invalid_types", "types[1]"},
           {R"({"url":"http://h/","types":["meeting.placed","*"]})", "invalid_types", "types[1]"},
           {R"({"url":"http://h/","types":["meeting.booked"]})", "unknown_type", "types[0]"},
           {R"({"url":"http://h/","types":["deal.changed","deal.changed"]})", "duplicate_type",
            "types[1]"},
           {R"({"url":"http://h/","types":["*"],"description":5})", "invalid_description",
            "description"},
           {R"({"url":"http://h/","types":["*"],"secret":"mine"})", "unknown_field", "secret"},
       }) {
    INFO(c.body);
    auto [reason, field] = rejection([&] { read_registration(c.body); });
    CHECK(reason == c.reason);
    CHECK(field == c.field);
  }
  std::string long_description = R"({"url":"http://h/","types":["*"],"description":")" +
                                 std::string(kMaxDescriptionLength + 1, 'd') + "\"}";
  CHECK(rejection([&] { read_registration(long_description); }).first == "invalid_description");
}

TEST_CASE("webhook types: every bus type is known, a webhook gets only what it asked for") {
  for (auto type : {"request.created", "meeting.placed", "meeting.moved", "meeting.cancelled",
                    "schedule.published", "checkin.recorded", "outcome.reported", "deal.changed"}) {
    CHECK(is_known_type(type));
  }
  CHECK_FALSE(is_known_type("schedule.run"));  // an internal job message, not a change
  CHECK_FALSE(is_known_type("*"));

  std::vector<std::string> cancellations{"meeting.cancelled"};
  CHECK(wants(cancellations, "meeting.cancelled"));
  CHECK_FALSE(wants(cancellations, "meeting.placed"));
  CHECK_FALSE(wants({}, "meeting.cancelled"));
  CHECK(wants({"*"}, "deal.changed"));
}

TEST_CASE("webhook delivery id: deterministic per bus message and webhook") {
  auto id = delivery_id("m_1:cancelled:3", "wh_a");
  CHECK(id.size() == 64);
  CHECK(id.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(delivery_id("m_1:cancelled:3", "wh_a") == id);
  CHECK(delivery_id("m_1:cancelled:3", "wh_b") != id);
  CHECK(delivery_id("m_1:cancelled:4", "wh_a") != id);
  // The separator keeps the key and the webhook id from running into each other.
  CHECK(delivery_id("ab", "c") != delivery_id("a", "bc"));
  // SHA-256("k|w"), computed independently (printf 'k|w' | sha256sum).
  CHECK(delivery_id("k", "w") ==
        "158a4e6598cc7c3d9d003c602ddcb155909e54be3a17d757a8418fc7409c86bd");
}

TEST_CASE("webhook delivery body: envelope around the payload, stable bytes") {
  std::string body = delivery_body("d1", "meeting.cancelled", "ev_1", "2023-09-13T01:30:00.000Z",
                                   R"({"meeting_id":"m_1","slot":3})");
  CHECK(
      body ==
      R"({"delivery_id":"d1","type":"meeting.cancelled","event_id":"ev_1","time":"2023-09-13T01:30:00.000Z","data":{"meeting_id":"m_1","slot":3}})");
  rapidjson::Document doc;
  doc.Parse(body.c_str());
  REQUIRE_FALSE(doc.HasParseError());
  CHECK(std::string(doc["data"]["meeting_id"].GetString()) == "m_1");

  std::string quoted = delivery_body("d\"2", "t", "e", "now", "[]");
  doc.Parse(quoted.c_str());
  REQUIRE_FALSE(doc.HasParseError());
  CHECK(std::string(doc["delivery_id"].GetString()) == "d\"2");

  CHECK(rejection([] { delivery_body("d", "t", "e", "now", "{oops"); }).first ==
        "malformed_payload");
}

TEST_CASE("webhook retries: exponential backoff, capped, then failed") {
  RetryPolicy policy{1000ms, 8000ms, 6};
  check(policy);
  std::vector<long long> delays;
  for (int made = 1; made <= 6; ++made) {
    auto d = retry_delay(policy, made);
    if (!d) break;
    delays.push_back(d->count());
  }
  CHECK(delays == std::vector<long long>{1000, 2000, 4000, 8000, 8000});
  CHECK_FALSE(retry_delay(policy, 6).has_value());
  CHECK_FALSE(retry_delay(policy, 100).has_value());

  RetryPolicy many{1ms, std::chrono::hours(1), 1000};
  CHECK(retry_delay(many, 999).value() == std::chrono::hours(1));  // no overflow

  CHECK(rejection([] { check({0ms, 10ms, 3}); }).first == "invalid_retry_policy");
  CHECK(rejection([] { check({10ms, 5ms, 3}); }).first == "invalid_retry_policy");
  CHECK(rejection([] { check({10ms, 50ms, 0}); }).first == "invalid_retry_policy");
}

TEST_CASE("webhook status: only 2xx counts as delivered") {
  CHECK(is_success(200));
  CHECK(is_success(204));
  CHECK_FALSE(is_success(301));  // redirects are not followed
  CHECK_FALSE(is_success(404));
  CHECK_FALSE(is_success(500));
  CHECK_FALSE(is_success(0));  // no answer
}

TEST_CASE("webhook addresses: loopback, private, link-local and the like are internal") {
  using sangdam::webhook::is_internal_address;
  for (const char* inward :
       {"127.0.0.1", "127.8.9.10", "0.0.0.0", "10.0.0.1", "172.16.0.1", "172.31.255.255",
        "192.168.1.1", "169.254.169.254", "100.64.0.1", "224.0.0.1", "255.255.255.255", "::", "::1",
        "fc00::1", "fd12:3456::1", "fe80::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1"}) {
    INFO(inward);
    CHECK(is_internal_address(inward));
  }
  for (const char* outward :
       {"93.184.216.34", "8.8.8.8", "172.15.255.255", "172.32.0.1", "100.63.255.255", "100.128.0.1",
        "192.169.0.1", "2001:db8::1", "2606:4700::1111", "::ffff:8.8.8.8", "example.org",
        "localhost", ""}) {
    INFO(outward);
    CHECK_FALSE(is_internal_address(outward));  // names are not addresses: resolved later
  }
}

TEST_CASE("webhook hosts: localhost and internal literals are refused with the field") {
  using sangdam::webhook::parse_url;
  using sangdam::webhook::refuse_internal_host;
  for (const char* inward :
       {"http://localhost/h", "http://LOCALHOST:8080/h", "http://api.localhost/h",
        "http://127.0.0.1/h", "http://[::1]:9/h", "https://169.254.169.254/latest"}) {
    INFO(inward);
    try {
      refuse_internal_host(parse_url(inward), "url");
      FAIL("accepted an internal host");
    } catch (const sangdam::Error& e) {
      CHECK(e.reason() == "internal_address");
      CHECK(e.field() == "url");
    }
  }
  CHECK_NOTHROW(refuse_internal_host(parse_url("https://hooks.example.org/x")));
  CHECK_NOTHROW(refuse_internal_host(parse_url("http://mylocalhost.org/x")));
  CHECK_NOTHROW(refuse_internal_host(parse_url("http://8.8.8.8/x")));
}
