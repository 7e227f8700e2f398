// The HTTP server over real loopback connections: routing, the error model, limits,
// timeouts, keep-alive, pipelining, graceful shutdown, built-in routes.
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <catch2/catch.hpp>
#include <regex>
#include <sstream>
#include <thread>

#include "services/common/http.hpp"
#include "services/common/json.hpp"
#include "tests/support/http_client.hpp"

namespace {

using namespace sangdam;
using http::Request;
using http::Response;
using testing::HttpClient;
using testing::RunningServer;
using verb = boost::beast::http::verb;
namespace asio = boost::asio;

asio::awaitable<void> sleep_for(std::chrono::milliseconds duration) {
  asio::steady_timer timer(co_await asio::this_coro::executor, duration);
  co_await timer.async_wait(asio::use_awaitable);
}

// Routes shared by most tests.
http::Router event_router() {
  http::Router router;
  router.add(
      verb::get, "/v1/events/{e}/participants/{p}", [](Request& r) -> asio::awaitable<Response> {
        co_return Response::json(200, R"({"event":)" + json::quote(r.param("e")) +
                                          R"(,"participant":)" + json::quote(r.param("p")) +
                                          R"(,"route":)" + json::quote(r.route) + R"(,"lang":)" +
                                          json::quote(r.query["lang"]) + "}");
      });
  router.add(
      verb::get, "/v1/events/{e}/participants/me",
      [](Request&) -> asio::awaitable<Response> { co_return Response::json(200, "\"me\""); });
  http::RouteOptions small;
  small.body_limit = 1024;
  router.add(
      verb::post, "/v1/events/{e}/participants",
      [](Request& r) -> asio::awaitable<Response> {
        auto doc = json::parse(r.body);
        if (!doc.HasMember("role") || !doc["role"].IsString()) {
          throw_invalid("missing_role", "role is required", "role");
        }
        co_return Response::json(201, R"({"role":)" + json::quote(doc["role"].GetString()) + "}");
      },
      small);
  router.add(verb::post, "/v1/events/{e}/bookings", [](Request&) -> asio::awaitable<Response> {
    throw Error(ErrorCode::kConflict, "slot_taken", "the slot is already booked", "slot");
    co_return Response{};
  });
  router.add(verb::get, "/v1/bug", [](Request&) -> asio::awaitable<Response> {
    throw std::runtime_error("secret database password in message");
    co_return Response{};
  });
  router.add(verb::get, "/slow/{ms}", [](Request& r) -> asio::awaitable<Response> {
    co_await sleep_for(std::chrono::milliseconds(std::stoi(r.param("ms"))));
    co_return Response::text(200, "text/plain", "slow " + r.param("ms"));
  });
  router.add(verb::get, "/echo/{n}", [](Request& r) -> asio::awaitable<Response> {
    co_return Response::text(200, "text/plain", r.param("n"));
  });
  return router;
}

}  // namespace

TEST_CASE("routes match path parameters, prefer literal segments and decode the target") {
  RunningServer running(event_router());
  HttpClient client(running.port());

  auto reply = client.get("/v1/events/seongnam-2023/participants/b%2F17?lang=ko&x=1");
  REQUIRE(reply.status == 200);
  CHECK(reply.header("content-type") == "application/json");
  auto doc = json::parse(reply.body);
  CHECK(std::string(doc["event"].GetString()) == "seongnam-2023");
  CHECK(std::string(doc["participant"].GetString()) == "b/17");  // %2F stays inside its segment
  CHECK(std::string(doc["route"].GetString()) == "/v1/events/{e}/participants/{p}");
  CHECK(std::string(doc["lang"].GetString()) == "ko");

  CHECK(client.get("/v1/events/seongnam-2023/participants/me").body == "\"me\"");
}

TEST_CASE("request ids are echoed when sane and generated otherwise") {
  RunningServer running(event_router());
  HttpClient client(running.port());
  auto kept = client.request(verb::get, "/echo/1", {}, {{"X-Request-Id", "gw-42.a"}});
  CHECK(kept.header("x-request-id") == "gw-42.a");
  auto replaced = client.request(verb::get, "/echo/1", {}, {{"X-Request-Id", "bad id\"<>"}});
  CHECK_FALSE(replaced.header("x-request-id").empty());
  CHECK(replaced.header("x-request-id") != "bad id\"<>");
  CHECK(client.get("/echo/1").header("x-request-id") !=
        client.get("/echo/1").header("x-request-id"));
}

TEST_CASE("malformed JSON in a body is a 400 JSON error naming the reason") {
  RunningServer running(event_router());
  HttpClient client(running.port());
  auto reply = client.request(verb::post, "/v1/events/e1/participants", "{\"role\": ");
  REQUIRE(reply.status == 400);
  auto doc = json::parse(reply.body);
  CHECK(std::string(doc["error"]["code"].GetString()) == "malformed_json");
  CHECK_FALSE(std::string(doc["error"]["message"].GetString()).empty());
  CHECK_FALSE(doc["error"].HasMember("field"));

  auto missing = client.request(verb::post, "/v1/events/e1/participants", "{}");
  REQUIRE(missing.status == 400);
  auto missing_doc = json::parse(missing.body);
  CHECK(std::string(missing_doc["error"]["code"].GetString()) == "missing_role");
  CHECK(std::string(missing_doc["error"]["field"].GetString()) == "role");

  auto ok = client.request(verb::post, "/v1/events/e1/participants", R"({"role":"buyer"})");
  CHECK(ok.status == 201);
}

TEST_CASE("domain errors map to their status, other exceptions are a 500 that leaks nothing") {
  RunningServer running(event_router());
  HttpClient client(running.port());
  auto conflict = client.request(verb::post, "/v1/events/e1/bookings", "{}");
  REQUIRE(conflict.status == 409);
  CHECK(conflict.body ==
        R"({"error":{"code":"slot_taken","message":"the slot is already booked","field":"slot"}})");

  auto bug = client.get("/v1/bug");
  REQUIRE(bug.status == 500);
  CHECK(bug.body.find("secret") == std::string::npos);
  CHECK(std::string(json::parse(bug.body)["error"]["code"].GetString()) == "internal");

  CHECK(http::status_for(ErrorCode::kUnauthenticated) == 401);
  CHECK(http::status_for(ErrorCode::kUnavailable) == 503);
  CHECK(http::error_response(Error(ErrorCode::kGone, "", "request expired")).body ==
        R"({"error":{"code":"gone","message":"request expired"}})");
}

TEST_CASE("a body over the route's limit is refused with 413 and the connection closes") {
  RunningServer running(event_router());
  HttpClient client(running.port());
  std::string big(4096, 'x');
  auto reply = client.request(verb::post, "/v1/events/e1/participants", big);
  REQUIRE(reply.status == 413);
  CHECK(std::string(json::parse(reply.body)["error"]["code"].GetString()) == "payload_too_large");
  CHECK_FALSE(reply.keep_alive);
  CHECK_FALSE(client.connected());
}

TEST_CASE("unknown routes are 404, a known path with the wrong verb is 405 with Allow") {
  RunningServer running(event_router());
  HttpClient client(running.port());
  auto missing = client.get("/v1/nothing/here");
  REQUIRE(missing.status == 404);
  CHECK(std::string(json::parse(missing.body)["error"]["code"].GetString()) == "route_not_found");

  auto wrong = client.request(verb::delete_, "/v1/events/e1/participants/p1");
  REQUIRE(wrong.status == 405);
  CHECK(wrong.header("allow") == "GET");
  CHECK(std::string(json::parse(wrong.body)["error"]["code"].GetString()) == "method_not_allowed");

  auto bad_escape = client.get("/v1/events/%zz/participants/p1");
  CHECK(bad_escape.status == 400);
}

TEST_CASE("oversized headers get 431, garbage gets 400") {
  auto options = RunningServer::test_options();
  options.header_limit = 1024;
  RunningServer running(event_router(), options);
  HttpClient client(running.port());
  auto reply = client.request(verb::get, "/echo/1", {}, {{"X-Padding", std::string(2048, 'p')}});
  CHECK(reply.status == 431);

  HttpClient garbage(running.port());
  garbage.send_raw("NOT HTTP AT ALL\r\n\r\n");
  CHECK(garbage.read_reply().status == 400);
}

TEST_CASE("the authenticator guards routes that ask for it, not /healthz") {
  auto router = event_router();
  router.set_authenticator([](Request& r) -> asio::awaitable<void> {
    if (r.header("Authorization") != "Bearer organizer-token") {
      throw Error(ErrorCode::kUnauthenticated, "missing_token", "a bearer token is required");
    }
    r.principal.role = Principal::Role::kOrganizer;
    co_return;
  });
  RunningServer running(std::move(router));
  HttpClient client(running.port());
  auto refused = client.get("/echo/7");
  CHECK(refused.status == 401);
  CHECK(refused.header("www-authenticate") == "Bearer");
  auto allowed =
      client.request(verb::get, "/echo/7", {}, {{"Authorization", "Bearer organizer-token"}});
  CHECK(allowed.status == 200);
  CHECK(allowed.body == "7");
  CHECK(client.get("/healthz").status == 200);
}

TEST_CASE("a client that sends no complete header is dropped after the read timeout") {
  auto options = RunningServer::test_options();
  options.read_timeout = std::chrono::seconds(1);
  RunningServer running(event_router(), options);

  HttpClient silent(running.port());
  silent.connect();
  auto start = std::chrono::steady_clock::now();
  CHECK(silent.closed_by_server(std::chrono::seconds(4)));
  CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(900));

  HttpClient trickle(running.port());
  trickle.send_raw("GET /echo/1 HTTP/1.1\r\nHost: x\r\n");  // never ends the header
  CHECK(trickle.closed_by_server(std::chrono::seconds(4)));
}

TEST_CASE("keep-alive serves many requests on one connection, idle ones are closed later") {
  auto options = RunningServer::test_options();
  options.keep_alive_idle = std::chrono::seconds(1);
  RunningServer running(event_router(), options);
  HttpClient client(running.port());
  for (int i = 0; i < 5; ++i) {
    auto reply = client.get("/echo/" + std::to_string(i));
    REQUIRE(reply.status == 200);
    CHECK(reply.body == std::to_string(i));
    CHECK(reply.keep_alive);
    CHECK(client.connected());
  }
  CHECK(running.gauge("sangdam_http_connections", {{"service", "test"}}) == 1);
  CHECK(client.closed_by_server(std::chrono::seconds(4)));
  CHECK(testing::eventually([&] {
    return running.gauge("sangdam_http_connections", {{"service", "test"}}) == 0;
  }));
}

TEST_CASE("pipelined requests are answered in order even when the first is the slowest") {
  auto options = RunningServer::test_options();
  options.max_pipelined = 2;  // fewer than we send: the reader must pause and resume
  RunningServer running(event_router(), options);
  HttpClient client(running.port());
  std::string batch = "GET /slow/200 HTTP/1.1\r\nHost: x\r\n\r\n";
  for (int i = 1; i <= 5; ++i)
    batch += "GET /echo/" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n\r\n";
  client.send_raw(batch);
  CHECK(client.read_reply().body == "slow 200");
  for (int i = 1; i <= 5; ++i) CHECK(client.read_reply().body == std::to_string(i));
}

TEST_CASE("graceful shutdown lets an in-flight request finish and closes idle connections") {
  RunningServer running(event_router());
  HttpClient idle(running.port());
  REQUIRE(idle.get("/echo/1").status == 200);

  testing::HttpReply slow_reply;
  std::thread slow_client([&] {
    HttpClient client(running.port());
    slow_reply = client.get("/slow/400");
  });
  REQUIRE(testing::eventually([&] {
    return running.gauge("sangdam_http_requests_in_flight", {{"service", "test"}}) == 1;
  }));
  running.server().shutdown();
  CHECK(idle.closed_by_server(std::chrono::seconds(2)));
  slow_client.join();
  CHECK(slow_reply.status == 200);
  CHECK(slow_reply.body == "slow 400");
  CHECK_FALSE(slow_reply.keep_alive);  // told to go away
  running.server().wait();

  HttpClient late(running.port(), "127.0.0.1", std::chrono::milliseconds(500));
  CHECK_THROWS(late.get("/healthz"));  // nobody listens any more
}

TEST_CASE("healthz, readyz and Prometheus metrics") {
  RunningServer running(event_router());
  HttpClient client(running.port());
  CHECK(client.get("/healthz").body == R"({"status":"ok"})");
  CHECK(client.get("/readyz").status == 200);
  running.server().set_ready(false);
  CHECK(client.get("/readyz").status == 503);
  running.server().set_ready(true);
  for (int i = 0; i < 3; ++i) client.get("/echo/" + std::to_string(i));
  client.get("/v1/nothing");
  running.server().metrics().counter("sangdam_bus_messages_total", {{"topic", "meetings"}}).inc(2);

  auto reply = client.get("/metrics");
  REQUIRE(reply.status == 200);
  CHECK(reply.header("content-type").rfind("text/plain; version=0.0.4", 0) == 0);

  // Every line is a comment (HELP/TYPE) or a sample: name{labels} value.
  const std::regex sample(
      R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*\})? (-?[0-9.e+-]+|\+Inf|-Inf|NaN)$)");
  const std::regex comment(R"(^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*$)");
  std::istringstream lines(reply.body);
  std::string line;
  std::map<std::string, double> values;
  int samples = 0;
  while (std::getline(lines, line)) {
    std::smatch match;
    if (std::regex_match(line, comment)) continue;
    INFO(line);
    REQUIRE(std::regex_match(line, match, sample));
    values[line.substr(0, line.rfind(' '))] = std::stod(match[match.size() - 1].str());
    ++samples;
  }
  CHECK(samples > 20);
  CHECK(
      values
          [R"(sangdam_http_requests_total{method="GET",route="/echo/{n}",service="test",status="2xx"})"] ==
      3);
  CHECK(
      values
          [R"(sangdam_http_requests_total{method="any",route="unmatched",service="test",status="4xx"})"] ==
      1);
  CHECK(
      values
          [R"(sangdam_http_request_duration_seconds_count{method="GET",route="/echo/{n}",service="test"})"] ==
      3);
  CHECK(
      values
          [R"(sangdam_http_request_duration_seconds_bucket{method="GET",route="/echo/{n}",service="test",le="+Inf"})"] ==
      3);
  CHECK(values[R"(sangdam_bus_messages_total{topic="meetings"})"] == 2);
  CHECK(values.count(R"(sangdam_websocket_connections{service="test"})") == 1);
  CHECK(values[R"(sangdam_http_requests_in_flight{service="test"})"] == 1);  // /metrics itself
}

TEST_CASE("a chunked body over the limit is refused with 413 too") {
  RunningServer running(event_router());
  HttpClient client(running.port());
  std::string chunk(800, 'x');
  std::string raw =
      "POST /v1/events/e1/participants HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 3; ++i) raw += "320\r\n" + chunk + "\r\n";  // 0x320 = 800 bytes
  raw += "0\r\n\r\n";
  client.send_raw(raw);
  CHECK(client.read_reply().status == 413);
}
