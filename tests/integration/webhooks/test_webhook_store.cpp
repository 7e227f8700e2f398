// The webhook store against a real redis-server: the per-event limit, fan-out idempotency (a
// second add of the same delivery id changes nothing), the due set's lease (two takers never
// get the same delivery; a lease that runs out gives it back), and an attempt's record.
#include <boost/asio/io_context.hpp>

#include <catch2/catch.hpp>

#include <set>

#include "matching/error.hpp"
#include "services/common/keys.hpp"
#include "services/common/webhook_store.hpp"
#include "tests/support/async.hpp"
#include "tests/support/redis_server.hpp"

using namespace std::chrono_literals;
using namespace sangdam;
using sangdam::testing::run_sync;

namespace {

struct StoreFixture {
  StoreFixture() {
    redis::Options options;
    options.port = server.port();
    client = redis::connect(io.get_executor(), options);
  }
  ~StoreFixture() { client->close(); }

  redis::Reply call(redis::Command command) {
    return run_sync(io, client->call(std::move(command)));
  }

  webhook_store::Delivery delivery(const std::string& webhook_id, const std::string& key) {
    webhook_store::Delivery d;
    d.id = webhook::delivery_id(key, webhook_id);
    d.event_id = "ev_1";
    d.webhook_id = webhook_id;
    d.type = "meeting.cancelled";
    d.body = webhook::delivery_body(d.id, d.type, d.event_id, "2023-09-13T01:30:00.000Z", "{}");
    d.created_at = "2023-09-13T01:30:00.000Z";
    return d;
  }

  sangdam::testing::RedisServer server;
  boost::asio::io_context io;
  std::shared_ptr<redis::Client> client;
};

}  // namespace

TEST_CASE("webhook store: registrations, the per-event limit, delete") {
  StoreFixture f;
  webhook::Registration r{"http://127.0.0.1:9/h", {"*"}, "test"};
  auto first = run_sync(f.io, webhook_store::create(*f.client, "ev_1", r, 2));
  auto second = run_sync(f.io, webhook_store::create(*f.client, "ev_1", r, 2));
  CHECK(first.id != second.id);
  CHECK(first.secret != second.secret);
  try {
    run_sync(f.io, webhook_store::create(*f.client, "ev_1", r, 2));
    FAIL("a third webhook was stored over the limit of 2");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kConflict);
    CHECK(e.reason() == "webhook_limit_reached");
  }
  // Another event has its own limit.
  run_sync(f.io, webhook_store::create(*f.client, "ev_2", r, 2));

  auto all = run_sync(f.io, webhook_store::list(*f.client, "ev_1"));
  REQUIRE(all.size() == 2);
  CHECK(all[0].secret.size() == 6 + 64);  // the store keeps it: signing needs it
  CHECK(webhook_store::to_json(all[0], false).find("secret") == std::string::npos);
  CHECK(webhook_store::to_json(all[0], true).find(all[0].secret) != std::string::npos);

  run_sync(f.io, webhook_store::remove(*f.client, "ev_1", first.id));
  CHECK_FALSE(run_sync(f.io, webhook_store::find(*f.client, "ev_1", first.id)).has_value());
  CHECK_THROWS_AS(run_sync(f.io, webhook_store::remove(*f.client, "ev_1", first.id)), Error);
  run_sync(f.io, webhook_store::create(*f.client, "ev_1", r, 2));  // the place is free again
}

TEST_CASE("webhook store: a delivery is created once, whatever repeats the message") {
  StoreFixture f;
  auto d = f.delivery("wh_a", "m_1:cancelled:2");
  CHECK(run_sync(f.io, webhook_store::add(*f.client, d, 1000)));
  CHECK_FALSE(run_sync(f.io, webhook_store::add(*f.client, d, 2000)));
  CHECK(f.call({"ZCARD", keys::webhook_deliveries("ev_1", "wh_a")}).integer == 1);
  CHECK(f.call({"ZSCORE", keys::kWebhooksDue, "ev_1|" + d.id}).str == "1000");  // kept its time

  // Once delivered, a repeat of the message does not queue it again.
  d.status = webhook_store::Status::kDelivered;
  d.attempts = 1;
  d.last_status = 204;
  run_sync(f.io, webhook_store::record_attempt(*f.client, d));
  CHECK(f.call({"ZCARD", keys::kWebhooksDue}).integer == 0);
  CHECK_FALSE(
      run_sync(f.io, webhook_store::add(*f.client, f.delivery("wh_a", "m_1:cancelled:2"), 3000)));
  CHECK(f.call({"ZCARD", keys::kWebhooksDue}).integer == 0);
  auto stored = run_sync(f.io, webhook_store::load(*f.client, "ev_1", d.id));
  REQUIRE(stored);
  CHECK(stored->status == webhook_store::Status::kDelivered);
  CHECK(stored->last_status == 204);
  CHECK(f.call({"TTL", keys::webhook_delivery("ev_1", d.id)}).integer > 0);
}

TEST_CASE("webhook store: takers never share a due delivery, a lapsed lease gives it back") {
  StoreFixture f;
  std::set<std::string> ids;
  for (int i = 0; i < 10; ++i) {
    auto d = f.delivery("wh_a", "key-" + std::to_string(i));
    run_sync(f.io, webhook_store::add(*f.client, d, 1000 + i));
    ids.insert(d.id);
  }
  // Not yet due: nothing taken.
  CHECK(run_sync(f.io, webhook_store::take_due(*f.client, 999, 5000ms, 100)).empty());

  auto a = run_sync(f.io, webhook_store::take_due(*f.client, 2000, 5000ms, 4));
  auto b = run_sync(f.io, webhook_store::take_due(*f.client, 2000, 5000ms, 100));
  CHECK(a.size() == 4);
  CHECK(b.size() == 6);
  std::set<std::string> taken;
  for (const auto& due : a) taken.insert(due.delivery_id);
  for (const auto& due : b) taken.insert(due.delivery_id);
  CHECK(taken == ids);  // every one, none twice
  CHECK(run_sync(f.io, webhook_store::take_due(*f.client, 6999, 5000ms, 100)).empty());

  // Nobody recorded an attempt (a crashed sender): after the lease all of them come back.
  auto again = run_sync(f.io, webhook_store::take_due(*f.client, 7001, 5000ms, 100));
  CHECK(again.size() == 10);
  CHECK(again.front().event_id == "ev_1");
}

TEST_CASE("webhook store: a failed attempt is re-queued at its retry time") {
  StoreFixture f;
  auto d = f.delivery("wh_a", "k");
  run_sync(f.io, webhook_store::add(*f.client, d, 1000));
  d.attempts = 1;
  d.last_status = 503;
  d.last_error = "HTTP 503";
  d.next_attempt_ms = 4000;
  run_sync(f.io, webhook_store::record_attempt(*f.client, d));
  CHECK(f.call({"ZSCORE", keys::kWebhooksDue, "ev_1|" + d.id}).str == "4000");
  auto log = run_sync(f.io, webhook_store::log(*f.client, "ev_1", "wh_a", 0, 10));
  REQUIRE(log.deliveries.size() == 1);
  auto json = webhook_store::to_json(log.deliveries[0]);
  CHECK(json.find(R"("status":"pending")") != std::string::npos);
  CHECK(json.find(R"("attempts":1)") != std::string::npos);
  CHECK(json.find(R"("last_status":503)") != std::string::npos);
  CHECK(json.find(R"("next_attempt_at":"1970-01-01T00:00:04.000Z")") != std::string::npos);
  CHECK(json.find("body") == std::string::npos);  // the log leaves the payload out
}
