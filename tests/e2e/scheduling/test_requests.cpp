// Meeting requests end to end through the gateway: the state machine (accept, decline,
// withdraw, expiry), who may do what, duplicates and idempotency, the outgoing cap, organizer
// pairs, and the request.* messages on the bus.
#include <catch2/catch.hpp>

#include <thread>

#include "tests/e2e/scheduling/scheduling_fixture.hpp"

using namespace sangdam::testing;
using namespace sangdam::testing::scheduling;

namespace {

std::string text(const rapidjson::Value& v, const char* key) {
  return v.HasMember(key) && v[key].IsString() ? v[key].GetString() : "";
}

}  // namespace

TEST_CASE("requests: accept, decline, withdraw, wrong side, duplicates, idempotency, access") {
  SangdamStack stack({"gateway"});
  auto url = stack.gateway_url();
  auto s = load_sample(url, sample_event_with({}));
  const auto& b0 = s.buyers[0];
  const auto& b1 = s.buyers[1];
  const auto& c0 = s.companies[0];
  const auto& c1 = s.companies[1];
  const auto& c2 = s.companies[2];

  // A buyer asks a company; the receiver sees it pending.
  auto sent = send_request(url, s, b0, c0.id, R"(,"message":"Oxygen generators for Hanoi")");
  REQUIRE(sent.status == 201);
  std::string r0 = text(sent.json, "id");
  CHECK(text(sent.json, "status") == "pending");
  CHECK(text(sent.json, "buyer_id") == b0.id);
  CHECK(text(sent.json, "company_id") == c0.id);
  auto inbox = call(url, c0.token, "GET", s.base + "/requests");
  REQUIRE(inbox.status == 200);
  REQUIRE(inbox.json["items"].Size() == 1);
  CHECK(text(inbox.json["items"][0], "id") == r0);

  // The same pair again, from either side, while one is pending: 409.
  auto again = send_request(url, s, b0, c0.id);
  CHECK(again.status == 409);
  CHECK(error_code(again) == "duplicate_request");
  auto reverse = send_request(url, s, c0, b0.id);
  CHECK(reverse.status == 409);

  // Only the receiver answers; others do not even see it.
  auto own_accept = answer_request(url, s, b0.token, r0, "accept");
  CHECK(own_accept.status == 403);
  CHECK(error_code(own_accept) == "wrong_side");
  CHECK(answer_request(url, s, c1.token, r0, "accept").status == 404);
  CHECK(call(url, c1.token, "GET", s.base + "/requests/" + r0).status == 404);
  CHECK(answer_request(url, s, s.organizer_token, r0, "accept").status == 403);
  CHECK(answer_request(url, s, c0.token, r0, "withdraw").status == 403);
  auto accepted = answer_request(url, s, c0.token, r0, "accept");
  REQUIRE(accepted.status == 200);
  CHECK(text(accepted.json, "status") == "accepted");
  auto twice = answer_request(url, s, c0.token, r0, "decline");
  CHECK(twice.status == 409);
  CHECK(error_code(twice) == "request_not_pending");
  CHECK(answer_request(url, s, b0.token, r0, "withdraw").status == 409);
  auto seen = call(url, s.organizer_token, "GET", s.base + "/requests/" + r0);
  CHECK(text(seen.json, "status") == "accepted");

  // A company asks a buyer, the buyer declines.
  auto from_company = send_request(url, s, c1, b0.id);
  REQUIRE(from_company.status == 201);
  auto declined = answer_request(url, s, b0.token, text(from_company.json, "id"), "decline");
  REQUIRE(declined.status == 200);
  CHECK(text(declined.json, "status") == "declined");

  // The sender withdraws; the receiver can no longer accept; the pair may ask again.
  auto to_withdraw = send_request(url, s, b0, c2.id);
  REQUIRE(to_withdraw.status == 201);
  std::string rw = text(to_withdraw.json, "id");
  CHECK(answer_request(url, s, c2.token, rw, "withdraw").status == 403);
  CHECK(text(answer_request(url, s, b0.token, rw, "withdraw").json, "status") == "withdrawn");
  CHECK(answer_request(url, s, c2.token, rw, "accept").status == 409);
  CHECK(send_request(url, s, b0, c2.id).status == 201);

  // Idempotent by client key (header or body): the same key gives the same request.
  auto keyed = send_request(url, s, b1, c1.id, "", "retry-1");
  REQUIRE(keyed.status == 201);
  auto replay = send_request(url, s, b1, c1.id, "", "retry-1");
  CHECK(replay.status == 200);
  CHECK(text(replay.json, "id") == text(keyed.json, "id"));
  auto body_key = send_request(url, s, b1, c2.id, R"(,"client_key":"k2")");
  auto body_replay = send_request(url, s, b1, c2.id, R"(,"client_key":"k2")");
  CHECK(body_key.status == 201);
  CHECK(body_replay.status == 200);
  CHECK(text(body_replay.json, "id") == text(body_key.json, "id"));

  // Bad input: same side, unknown counterpart, unknown field, too long a note; nothing stored.
  auto same_side = send_request(url, s, b0, b1.id);
  CHECK(same_side.status == 400);
  CHECK(error_code(same_side) == "same_side");
  auto unknown = send_request(url, s, b0, "c_0000000000000000");
  CHECK(unknown.status == 404);
  CHECK(error_code(unknown) == "receiver_not_found");
  CHECK(send_request(url, s, b0, c1.id, R"(,"colour":"red")").status == 400);
  CHECK(send_request(url, s, b0, c1.id, ",\"message\":\"" + std::string(3000, 'x') + "\"").status ==
        400);
  CHECK(call(url, s.organizer_token, "POST", s.base + "/requests", "{\"to\":\"" + c1.id + "\"}")
            .status == 403);
  CHECK(call(url, "", "POST", s.base + "/requests", "{\"to\":\"" + c1.id + "\"}").status == 401);
  auto b0_list = call(url, b0.token, "GET", s.base + "/requests");
  CHECK(b0_list.json["total"].GetInt() == 4);  // r0, the declined, the withdrawn, the new one
  CHECK(call(url, b0.token, "GET", s.base + "/requests?participant=" + b1.id).status == 403);

  // Every transition went on the bus, with both parties in the payload.
  auto entries = stream_entries(stack.redis().port(), "sangdam:requests:0");
  std::map<std::string, int> types;
  for (auto& e : entries) {
    ++types[e["type"]];
    CHECK(e["event"] == s.event_id);
    CHECK(e["payload"].find("\"sender_id\"") != std::string::npos);
    CHECK(e["payload"].find("\"receiver_id\"") != std::string::npos);
  }
  CHECK(types["request.created"] == 6);
  CHECK(types["request.accepted"] == 1);
  CHECK(types["request.declined"] == 1);
  CHECK(types["request.withdrawn"] == 1);
}

TEST_CASE("requests: expiry after the deadline and the outgoing cap with a clear 429") {
  SangdamStack stack({"gateway"});
  auto url = stack.gateway_url();
  auto s = load_sample(url, sample_event_with({{"max_outgoing_requests", "2"}}));
  const auto& b0 = s.buyers[0];
  const auto& c0 = s.companies[0];
  const auto& c1 = s.companies[1];
  const auto& c2 = s.companies[2];

  // The sender may ask for an answer within a second (never beyond the event's policy).
  auto too_long = send_request(url, s, b0, c0.id, R"(,"expires_in_seconds":86401)");
  CHECK(too_long.status == 400);
  auto quick = send_request(url, s, b0, c0.id, R"(,"expires_in_seconds":1)");
  REQUIRE(quick.status == 201);
  std::string rq = text(quick.json, "id");
  auto slow = send_request(url, s, b0, c1.id);
  REQUIRE(slow.status == 201);

  // Two pending: the third is refused, naming the policy.
  auto capped = send_request(url, s, b0, c2.id);
  CHECK(capped.status == 429);
  CHECK(error_code(capped) == "outgoing_request_limit");
  CHECK(capped.body.find("max_outgoing_requests") != std::string::npos);

  std::this_thread::sleep_for(std::chrono::milliseconds(1300));
  // Read: expired (lazily). Answer: 410 Gone. The slot it asked about was never held.
  auto read = call(url, c0.token, "GET", s.base + "/requests/" + rq);
  CHECK(text(read.json, "status") == "expired");
  auto late = answer_request(url, s, c0.token, rq, "accept");
  CHECK(late.status == 410);
  CHECK(error_code(late) == "request_expired");
  // The expired one no longer counts against the cap, and the pair may ask again.
  CHECK(send_request(url, s, b0, c2.id).status == 201);
  CHECK(send_request(url, s, b0, c0.id).status == 429);
  CHECK(answer_request(url, s, b0.token, text(slow.json, "id"), "withdraw").status == 200);
  CHECK(send_request(url, s, b0, c0.id).status == 201);
  auto types = stream_types(stack.redis().port(), "sangdam:requests:0");
  CHECK(std::count(types.begin(), types.end(), "request.expired") == 1);
}

TEST_CASE("pairs: the organizer adds must-meet pairs and removes pairs, participants cannot") {
  SangdamStack stack({"gateway"});
  auto url = stack.gateway_url();
  auto s = load_sample(url, sample_event_with({}));
  const auto& b0 = s.buyers[0];
  const auto& c0 = s.companies[0];
  std::string pair = "{\"buyer_id\":\"" + b0.id + "\",\"company_id\":\"" + c0.id + "\"";

  CHECK(call(url, b0.token, "POST", s.base + "/pairs", pair + "}").status == 403);
  auto added = call(url, s.organizer_token, "POST", s.base + "/pairs", pair + ",\"weight\":2}");
  REQUIRE(added.status == 201);
  CHECK(added.json["weight"].GetDouble() == 2.0);
  CHECK(call(url, s.organizer_token, "POST", s.base + "/pairs", pair + ",\"weight\":0}").status ==
        400);
  auto swapped = "{\"buyer_id\":\"" + c0.id + "\",\"company_id\":\"" + b0.id + "\"}";
  CHECK(call(url, s.organizer_token, "POST", s.base + "/pairs", swapped).status == 400);
  auto ghost = "{\"buyer_id\":\"b_0000000000000000\",\"company_id\":\"" + c0.id + "\"}";
  CHECK(call(url, s.organizer_token, "POST", s.base + "/pairs", ghost).status == 404);

  auto listed = call(url, s.organizer_token, "GET", s.base + "/pairs");
  REQUIRE(listed.json["must_meet"].Size() == 1);
  CHECK(listed.json["removed"].Size() == 0);

  std::string target = s.base + "/pairs/" + b0.id + "/" + c0.id;
  CHECK(call(url, b0.token, "DELETE", target).status == 403);
  CHECK(call(url, s.organizer_token, "DELETE", target).status == 204);
  listed = call(url, s.organizer_token, "GET", s.base + "/pairs");
  CHECK(listed.json["must_meet"].Size() == 0);
  REQUIRE(listed.json["removed"].Size() == 1);
  CHECK(text(listed.json["removed"][0], "buyer_id") == b0.id);
  auto types = stream_types(stack.redis().port(), "sangdam:requests:0");
  CHECK(std::count(types.begin(), types.end(), "pair.added") == 1);
  CHECK(std::count(types.begin(), types.end(), "pair.removed") == 1);
}
