// Webhooks end to end: the gateway and webhooks processes with a real redis-server, and HTTP
// receivers on loopback in this process. A cancellation reaches the webhook that asked for it,
// signed with the secret shown at registration; the first attempt gets a 500 and the retry
// succeeds; a redelivered bus message creates no second delivery; a receiver that always
// fails sees the backoff and the delivery ends "failed"; a webhook for other types gets
// nothing; bad registrations are JSON 400s and participants get 403.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "matching/webhook/delivery.hpp"
#include "matching/webhook/secret_box.hpp"
#include "matching/webhook/signature.hpp"
#include "services/common/bus.hpp"
#include "services/common/keys.hpp"
#include "services/common/redis.hpp"
#include "services/common/webhook_store.hpp"
#include "tests/e2e/booking/booking_fixture.hpp"
#include "tests/support/async.hpp"

using namespace sangdam::testing;
using namespace sangdam::testing::booking;
using namespace std::chrono_literals;

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// What a receiver saw of one POST.
struct Received {
  std::string target, delivery, timestamp, signature, attempt, type, body;
  unsigned answered = 0;
  std::chrono::steady_clock::time_point at;
};

// A webhook receiver on 127.0.0.1: records every request and answers what answer() says for
// the n-th request (0-based) of a delivery id.
class Receiver {
 public:
  using Policy = std::function<unsigned(int nth_of_delivery)>;

  // tls: serve HTTPS with this server context (certificate and key loaded), else plain HTTP.
  explicit Receiver(Policy answer, asio::ssl::context* tls = nullptr)
      : answer_(std::move(answer)), tls_(tls) {
    acceptor_.open(tcp::v4());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind({asio::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
    accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~Receiver() {
    io_.stop();
    thread_.join();
  }

  std::string url(const std::string& path) const {
    return std::string(tls_ != nullptr ? "https" : "http") +
           "://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + path;
  }
  std::vector<Received> received() {
    std::lock_guard lock(mutex_);
    return received_;
  }

 private:
  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec) return;
      serve(std::move(socket));
      accept();
    });
  }

  // Blocking on the receiver's own thread: the sender writes its whole request at once.
  void serve(tcp::socket socket) {
    if (tls_ == nullptr) {
      exchange(socket);
      return;
    }
    asio::ssl::stream<tcp::socket> stream(std::move(socket), *tls_);
    boost::system::error_code ec;
    stream.handshake(asio::ssl::stream_base::server, ec);
    if (!ec) exchange(stream);  // a client refusing our certificate ends here
  }

  template <class Stream>
  void exchange(Stream& socket) {
    boost::system::error_code ec;
    beast::flat_buffer buffer;
    http::request<http::string_body> req;
    http::read(socket, buffer, req, ec);
    if (ec) return;
    Received r;
    r.target = std::string(req.target());
    r.delivery = std::string(req[sangdam::webhook::kDeliveryHeader]);
    r.timestamp = std::string(req[sangdam::webhook::kTimestampHeader]);
    r.signature = std::string(req[sangdam::webhook::kSignatureHeader]);
    r.attempt = std::string(req["X-Sangdam-Attempt"]);
    r.type = std::string(req["X-Sangdam-Event-Type"]);
    r.body = req.body();
    r.at = std::chrono::steady_clock::now();
    {
      std::lock_guard lock(mutex_);
      r.answered = answer_(seen_[r.delivery]++);
      received_.push_back(r);
    }
    http::response<http::string_body> res{static_cast<http::status>(r.answered), 11};
    res.set(http::field::content_type, "text/plain");
    res.body() = "ok";
    res.keep_alive(false);
    res.prepare_payload();
    http::write(socket, res, ec);
    beast::get_lowest_layer(socket).shutdown(tcp::socket::shutdown_both, ec);
  }

  Policy answer_;
  asio::ssl::context* tls_;
  asio::io_context io_;
  tcp::acceptor acceptor_{io_};
  std::thread thread_;
  std::mutex mutex_;
  std::vector<Received> received_;
  std::map<std::string, int> seen_;
};

// Polls until done() or the limit; returns done()'s last answer.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit = 15s) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return done();
}

// Books slot 1 for the pair and cancels the meeting: one meeting.cancelled on the bus.
void book_and_cancel(const std::string& url, const TestEvent& ev, const std::string& buyer,
                     const std::string& company) {
  auto booked =
      call(url, ev.organizer_token, "POST", ev.base + "/bookings", booking_body(buyer, company, 1));
  REQUIRE(booked.status == 201);
  const std::string meeting = booked.json["id"].GetString();
  REQUIRE(call(url, ev.organizer_token, "DELETE", ev.base + "/meetings/" + meeting).status == 200);
}

struct Registered {
  std::string id, secret;
};

Registered register_webhook(const std::string& url, const TestEvent& ev, const std::string& target,
                            const std::string& types) {
  auto created = call(url, ev.organizer_token, "POST", ev.base + "/webhooks",
                      R"({"url":")" + target + R"(","types":)" + types + "}");
  if (created.status != 201) throw std::runtime_error("registering a webhook: " + created.body);
  return {created.json["id"].GetString(), created.json["secret"].GetString()};
}

// The webhooks consumer group has read every entry of the stream and acknowledged it.
bool group_caught_up(int port, const std::string& stream) {
  auto last = redis_call(port, {"XREVRANGE", stream, "+", "-", "COUNT", "1"});
  if (last.elements.empty()) return false;
  auto groups = redis_call(port, {"XINFO", "GROUPS", stream});
  for (const auto& g : groups.elements) {
    std::map<std::string, const sangdam::redis::Reply*> info;
    for (std::size_t i = 0; i + 1 < g.elements.size(); i += 2) {
      info[g.elements[i].str] = &g.elements[i + 1];
    }
    if (info["name"]->str != "webhooks") continue;
    return info["last-delivered-id"]->str == last.elements[0].elements[0].str &&
           info["pending"]->integer == 0;
  }
  return false;
}

}  // namespace

TEST_CASE("webhooks: signed delivery, retry after a 500, no duplicate from a redelivered message") {
  // The receivers listen on loopback, which deliveries may reach only when allowed.
  SangdamStack stack({"gateway", "webhooks"},
                     {{"SANGDAM_WEBHOOKS_BACKOFF_BASE_MS", "200"},
                      {"SANGDAM_WEBHOOKS_MAX_ATTEMPTS", "3"},
                      {"SANGDAM_WEBHOOKS_ATTEMPT_TIMEOUT_MS", "2000"},
                      {"SANGDAM_WEBHOOKS_POLL_MS", "50"},
                      {"SANGDAM_WEBHOOKS_ALLOW_INTERNAL_ADDRESSES", "true"}});
  auto url = stack.gateway_url();
  int port = stack.redis().port();
  auto ev = create_event(url, event_json(true, 4));
  auto buyer = add_participant(url, ev, buyer_json("B-1", R"(["en"])"));
  auto company = add_participant(url, ev, company_json("C-1", R"(["en"])", "hall"));

  Receiver flaky([](int nth) { return nth == 0 ? 500u : 200u; });
  Receiver broken([](int) { return 500u; });
  Receiver outcomes_only([](int) { return 200u; });
  auto cancellations =
      register_webhook(url, ev, flaky.url("/hooks/sangdam?src=test"), R"(["meeting.cancelled"])");
  auto failing = register_webhook(url, ev, broken.url("/down"), R"(["meeting.cancelled"])");
  auto other = register_webhook(url, ev, outcomes_only.url("/outcomes"), R"(["outcome.reported"])");
  CHECK(cancellations.secret.rfind("whsec_", 0) == 0);
  CHECK(cancellations.secret.size() == 6 + 64);
  CHECK(cancellations.secret != failing.secret);

  SECTION("registrations are listed without their secrets") {
    auto listed = call(url, ev.organizer_token, "GET", ev.base + "/webhooks");
    REQUIRE(listed.status == 200);
    CHECK(listed.json["total"].GetInt() == 3);
    CHECK(listed.body.find("secret") == std::string::npos);
    auto one = call(url, ev.organizer_token, "GET", ev.base + "/webhooks/" + other.id);
    REQUIRE(one.status == 200);
    CHECK(std::string(one.json["url"].GetString()) == outcomes_only.url("/outcomes"));
    CHECK(one.json["types"].Size() == 1);
    CHECK(one.body.find(other.secret) == std::string::npos);
  }

  SECTION("a cancellation is delivered, retried once, signed, and not duplicated") {
    book_and_cancel(url, ev, buyer.id, company.id);

    REQUIRE(eventually([&] { return flaky.received().size() >= 2; }));
    REQUIRE(eventually([&] { return broken.received().size() >= 3; }));
    auto got = flaky.received();
    REQUIRE(got.size() == 2);
    CHECK(got[0].answered == 500);
    CHECK(got[1].answered == 200);
    CHECK(got[0].delivery == got[1].delivery);
    CHECK(got[0].body == got[1].body);  // the same bytes on every attempt
    CHECK(got[0].attempt == "1");
    CHECK(got[1].attempt == "2");
    CHECK(got[1].at - got[0].at >= 200ms);  // backoff base
    for (const auto& r : got) {
      CHECK(r.target == "/hooks/sangdam?src=test");
      CHECK(r.type == "meeting.cancelled");
      CHECK(sangdam::webhook::verify(cancellations.secret, r.timestamp, r.body, r.signature));
      CHECK_FALSE(sangdam::webhook::verify(failing.secret, r.timestamp, r.body, r.signature));
      CHECK(sangdam::webhook::is_fresh(
          r.timestamp,
          std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()),
          300s));
    }
    rapidjson::Document body;
    body.Parse(got[1].body.c_str());
    REQUIRE(body.IsObject());
    CHECK(std::string(body["delivery_id"].GetString()) == got[1].delivery);
    CHECK(std::string(body["type"].GetString()) == "meeting.cancelled");
    CHECK(std::string(body["event_id"].GetString()) == ev.id);
    CHECK(body["data"].IsObject());
    CHECK(body["data"].GetObject().MemberCount() > 0);
    CHECK(body.HasMember("time"));
    // Only the cancellation: the booking (meeting.placed) was not asked for.
    CHECK(got[1].body.find("meeting.placed") == std::string::npos);

    // The log of the flaky receiver's webhook: one delivery, two attempts, delivered.
    JsonAnswer log;
    REQUIRE(eventually([&] {
      log = call(url, ev.organizer_token, "GET",
                 ev.base + "/webhooks/" + cancellations.id + "/deliveries");
      return log.status == 200 && log.json["total"].GetInt() == 1 &&
             std::string(log.json["items"][0]["status"].GetString()) == "delivered";
    }));
    const auto& entry = log.json["items"][0];
    CHECK(std::string(entry["id"].GetString()) == got[0].delivery);
    CHECK(entry["attempts"].GetInt() == 2);
    CHECK(entry["last_status"].GetInt() == 200);
    CHECK(entry["last_error"].IsNull());
    CHECK(entry["next_attempt_at"].IsNull());
    CHECK(entry["delivered_at"].IsString());

    // The always-failing receiver: three attempts with growing gaps, then "failed".
    auto down = broken.received();
    REQUIRE(down.size() == 3);
    CHECK(down[1].at - down[0].at >= 200ms);
    CHECK(down[2].at - down[1].at >= 400ms);
    JsonAnswer failed_log;
    REQUIRE(eventually([&] {
      failed_log =
          call(url, ev.organizer_token, "GET", ev.base + "/webhooks/" + failing.id + "/deliveries");
      return failed_log.status == 200 && failed_log.json["total"].GetInt() == 1 &&
             std::string(failed_log.json["items"][0]["status"].GetString()) == "failed";
    }));
    CHECK(failed_log.json["items"][0]["attempts"].GetInt() == 3);
    CHECK(failed_log.json["items"][0]["last_status"].GetInt() == 500);
    CHECK(std::string(failed_log.json["items"][0]["last_error"].GetString()) == "HTTP 500");

    // Redeliver the cancellation: the same envelope (same idempotency key) once more.
    std::string stream = sangdam::bus::stream_for({}, "meetings", ev.id);
    auto entries = redis_call(port, {"XRANGE", stream, "-", "+"});
    sangdam::redis::Command again{"XADD", stream, "*"};
    for (const auto& e : entries.elements) {
      auto env = sangdam::bus::envelope_from_fields(e.elements[1]);
      if (env.type != "meeting.cancelled") continue;
      for (const auto& f : e.elements[1].elements) again.push_back(f.str);
    }
    REQUIRE(again.size() > 3);
    redis_call(port, again);
    REQUIRE(eventually([&] { return group_caught_up(port, stream); }));
    std::this_thread::sleep_for(500ms);  // ten polls of the sender: time for a wrong resend
    CHECK(flaky.received().size() == 2);
    CHECK(broken.received().size() == 3);  // a failed delivery is not revived either
    auto after = call(url, ev.organizer_token, "GET",
                      ev.base + "/webhooks/" + cancellations.id + "/deliveries");
    CHECK(after.json["total"].GetInt() == 1);
    CHECK(redis_call(port, {"ZCARD", "sangdam:webhooks:due"}).integer == 0);

    // Nothing for the webhook of outcome reports.
    CHECK(outcomes_only.received().empty());
    auto none =
        call(url, ev.organizer_token, "GET", ev.base + "/webhooks/" + other.id + "/deliveries");
    REQUIRE(none.status == 200);
    CHECK(none.json["total"].GetInt() == 0);

    // The attempts are counted on the webhooks service's /metrics: flaky 500 then 200, broken
    // three 500s (two retries, then failed).
    auto metrics = call(stack.service("webhooks").url(), "", "GET", "/metrics");
    REQUIRE(metrics.status == 200);
    INFO(metrics.body);
    CHECK(metrics.body.find("sangdam_webhook_attempts_total{outcome=\"delivered\"} 1\n") !=
          std::string::npos);
    CHECK(metrics.body.find("sangdam_webhook_attempts_total{outcome=\"retry\"} 3\n") !=
          std::string::npos);
    CHECK(metrics.body.find("sangdam_webhook_attempts_total{outcome=\"failed\"} 1\n") !=
          std::string::npos);
    CHECK(metrics.body.find("sangdam_webhook_attempt_seconds_count 5\n") != std::string::npos);
  }

  SECTION("bad registrations are JSON 400s naming the field, participants get 403") {
    struct Case {
      const char* body;
      const char* code;
      const char* field;
    };
    for (const auto& c : std::vector<Case>{
             {R"({"types":["*"]})", "missing_field", "url"},
             {R"({"url":"ftp://example.org/","types":["*"]})", "invalid_url", "url"},
             {R"({"url":"http://127.0.0.1:9/h","types":["meeting.booked"]})", "unknown_type",
              "types[0]"},
             {R"({"url":"http://127.0.0.1:9/h","types":[]})", "invalid_types", "types"},
         }) {
      INFO(c.body);
      auto bad = call(url, ev.organizer_token, "POST", ev.base + "/webhooks", c.body);
      CHECK(bad.status == 400);
      CHECK(error_code(bad) == c.code);
      CHECK(error_field(bad) == c.field);
    }
    auto malformed = call(url, ev.organizer_token, "POST", ev.base + "/webhooks", "{nope");
    CHECK(malformed.status == 400);
    CHECK(error_code(malformed) == "malformed_json");

    std::string valid = R"({"url":"http://127.0.0.1:9/h","types":["*"]})";
    auto as_buyer = call(url, buyer.token, "POST", ev.base + "/webhooks", valid);
    CHECK(as_buyer.status == 403);
    CHECK(as_buyer.json.IsObject());
    CHECK(call(url, company.token, "GET", ev.base + "/webhooks").status == 403);
    CHECK(call(url, buyer.token, "GET", ev.base + "/webhooks/" + other.id + "/deliveries").status ==
          403);
    CHECK(call(url, "", "GET", ev.base + "/webhooks").status == 401);

    CHECK(call(url, ev.organizer_token, "GET", ev.base + "/webhooks/wh_nope").status == 404);
    CHECK(call(url, ev.organizer_token, "GET", ev.base + "/webhooks/wh_nope/deliveries").status ==
          404);
  }

  SECTION("at most 20 webhooks per event, and a deleted one is gone") {
    for (int i = 3; i < 20; ++i) {
      register_webhook(url, ev, "http://127.0.0.1:9/h" + std::to_string(i), R"(["*"])");
    }
    auto over = call(url, ev.organizer_token, "POST", ev.base + "/webhooks",
                     R"({"url":"http://127.0.0.1:9/h","types":["*"]})");
    CHECK(over.status == 409);
    CHECK(error_code(over) == "webhook_limit_reached");

    CHECK(call(url, ev.organizer_token, "DELETE", ev.base + "/webhooks/" + other.id).status == 204);
    CHECK(call(url, ev.organizer_token, "GET", ev.base + "/webhooks/" + other.id).status == 404);
    CHECK(call(url, ev.organizer_token, "DELETE", ev.base + "/webhooks/" + other.id).status == 404);
    // The freed place can be taken again.
    register_webhook(url, ev, "http://127.0.0.1:9/again", R"(["deal.changed"])");
  }
}

TEST_CASE("webhooks: internal addresses are refused at registration and at delivery") {
  SangdamStack stack({"gateway", "webhooks"}, {{"SANGDAM_WEBHOOKS_BACKOFF_BASE_MS", "100"},
                                               {"SANGDAM_WEBHOOKS_MAX_ATTEMPTS", "2"},
                                               {"SANGDAM_WEBHOOKS_POLL_MS", "50"}});
  auto url = stack.gateway_url();
  auto ev = create_event(url, event_json(true, 4));
  for (const char* inward :
       {"http://127.0.0.1:9/h", "http://localhost:9/h", "http://[::1]/h",
        "http://169.254.169.254/latest/meta-data", "http://10.1.2.3/h", "http://192.168.0.10/h",
        "http://[::ffff:127.0.0.1]/h", "http://api.localhost/h"}) {
    auto refused = call(url, ev.organizer_token, "POST", ev.base + "/webhooks",
                        std::string(R"({"url":")") + inward + R"(","types":["*"]})");
    CHECK(refused.status == 400);
    CHECK(error_code(refused) == "internal_address");
    CHECK(error_field(refused) == "url");
  }
  auto outward = call(url, ev.organizer_token, "POST", ev.base + "/webhooks",
                      R"({"url":"https://hooks.example.org/sangdam","types":["*"]})");
  CHECK(outward.status == 201);

  // A name can resolve inward later (DNS): the sender checks what it resolves to. The
  // registration is written past the gateway here, as if DNS had changed since.
  Receiver inside([](int) { return 200u; });
  boost::asio::io_context io;
  sangdam::redis::Options options;
  options.port = stack.redis().port();
  auto redis = sangdam::redis::connect(io.get_executor(), options);
  sangdam::webhook::Registration registration;
  registration.url = inside.url("/inside");
  registration.types = {"meeting.placed"};
  auto hook = run_sync(io, sangdam::webhook_store::create(*redis, ev.id, registration, 20));
  redis->close();

  auto buyer = add_participant(url, ev, buyer_json("B-1", R"(["en"])"));
  auto company = add_participant(url, ev, company_json("C-1", R"(["en"])", "hall"));
  REQUIRE(call(url, ev.organizer_token, "POST", ev.base + "/bookings",
               booking_body(buyer.id, company.id, 1))
              .status == 201);
  JsonAnswer log;
  REQUIRE(eventually([&] {
    log = call(url, ev.organizer_token, "GET", ev.base + "/webhooks/" + hook.id + "/deliveries");
    return log.status == 200 && log.json["total"].GetInt() == 1 &&
           std::string(log.json["items"][0]["status"].GetString()) == "failed";
  }));
  const std::string error = log.json["items"][0]["last_error"].GetString();
  CHECK(error.find("internal address 127.0.0.1") != std::string::npos);
  CHECK(inside.received().empty());
}

TEST_CASE("webhooks: with a secret key, secrets are sealed at rest and still sign deliveries") {
  const std::string key = "8f3a1c5e7b9d0f2a4c6e8a0b2d4f6a8c0e2a4c6e8b0d2f4a6c8e0a2c4e6f8a0b";
  SangdamStack stack({"gateway", "webhooks"},
                     {{"SANGDAM_WEBHOOKS_SECRET_KEY", key},
                      {"SANGDAM_WEBHOOKS_POLL_MS", "50"},
                      {"SANGDAM_WEBHOOKS_ALLOW_INTERNAL_ADDRESSES", "true"}});
  auto url = stack.gateway_url();
  auto ev = create_event(url, event_json(true, 4));
  auto buyer = add_participant(url, ev, buyer_json("B-1", R"(["en"])"));
  auto company = add_participant(url, ev, company_json("C-1", R"(["en"])", "hall"));
  Receiver receiver([](int) { return 200u; });
  auto hook = register_webhook(url, ev, receiver.url("/sealed"), R"(["meeting.cancelled"])");

  // What Redis holds is the sealed form, not the secret the organizer was shown.
  auto stored = redis_call(stack.redis().port(), {"HGET", sangdam::keys::webhooks(ev.id), hook.id});
  REQUIRE(!stored.str.empty());
  CHECK(stored.str.find(hook.secret) == std::string::npos);
  CHECK(stored.str.find(std::string(sangdam::webhook::kSealedPrefix)) != std::string::npos);

  book_and_cancel(url, ev, buyer.id, company.id);
  REQUIRE(eventually([&] { return !receiver.received().empty(); }));
  const auto got = receiver.received().front();
  CHECK(got.answered == 200);
  CHECK(sangdam::webhook::verify(hook.secret, got.timestamp, got.body, got.signature));
}

namespace {

// A self-signed certificate for 127.0.0.1 (made with the openssl tool), and a server context
// that presents it.
struct Certificate {
  std::filesystem::path dir;
  std::string cert_file, key_file;
};

Certificate self_signed_for_loopback() {
  Certificate c;
  c.dir = std::filesystem::temp_directory_path() /
          ("sangdam-tls-" + std::to_string(::getpid()) + "-" + std::to_string(free_port()));
  std::filesystem::create_directories(c.dir);
  c.cert_file = (c.dir / "cert.pem").string();
  c.key_file = (c.dir / "key.pem").string();
  const std::string command =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
      "-addext subjectAltName=IP:127.0.0.1 -keyout '" +
      c.key_file + "' -out '" + c.cert_file + "' >/dev/null 2>&1";
  if (std::system(command.c_str()) != 0) throw std::runtime_error("openssl req failed");
  return c;
}

}  // namespace

TEST_CASE("webhooks: https deliveries check the receiver's certificate") {
  const Certificate certificate = self_signed_for_loopback();
  asio::ssl::context server(asio::ssl::context::tls_server);
  server.use_certificate_chain_file(certificate.cert_file);
  server.use_private_key_file(certificate.key_file, asio::ssl::context::pem);
  Receiver receiver([](int) { return 200u; }, &server);

  auto deliver_once = [&](std::map<std::string, std::string> env) {
    env["SANGDAM_WEBHOOKS_POLL_MS"] = "50";
    env["SANGDAM_WEBHOOKS_MAX_ATTEMPTS"] = "1";
    env["SANGDAM_WEBHOOKS_ALLOW_INTERNAL_ADDRESSES"] = "true";
    SangdamStack stack({"gateway", "webhooks"}, env);
    auto url = stack.gateway_url();
    auto ev = create_event(url, event_json(true, 4));
    auto buyer = add_participant(url, ev, buyer_json("B-1", R"(["en"])"));
    auto company = add_participant(url, ev, company_json("C-1", R"(["en"])", "hall"));
    auto hook = register_webhook(url, ev, receiver.url("/tls"), R"(["meeting.cancelled"])");
    book_and_cancel(url, ev, buyer.id, company.id);
    JsonAnswer log;
    REQUIRE(eventually([&] {
      log = call(url, ev.organizer_token, "GET", ev.base + "/webhooks/" + hook.id + "/deliveries");
      return log.status == 200 && log.json["total"].GetInt() == 1 &&
             std::string(log.json["items"][0]["status"].GetString()) != "pending";
    }));
    return std::make_pair(hook, std::move(log));
  };

  SECTION("trusted through webhooks.ca_file: delivered and signed") {
    auto [hook, log] = deliver_once({{"SANGDAM_WEBHOOKS_CA_FILE", certificate.cert_file}});
    CHECK(std::string(log.json["items"][0]["status"].GetString()) == "delivered");
    REQUIRE(receiver.received().size() == 1);
    const auto got = receiver.received().front();
    CHECK(got.target == "/tls");
    CHECK(sangdam::webhook::verify(hook.secret, got.timestamp, got.body, got.signature));
  }
  SECTION("not trusted: the attempt fails on the certificate, nothing is sent") {
    auto [hook, log] = deliver_once({});
    const auto& entry = log.json["items"][0];
    CHECK(std::string(entry["status"].GetString()) == "failed");
    CHECK_THAT(std::string(entry["last_error"].GetString()),
               Catch::Contains("certificate verify failed"));
    CHECK(receiver.received().empty());
  }
  std::filesystem::remove_all(certificate.dir);
}
