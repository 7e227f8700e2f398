// Live updates end to end: gateway + ledger processes, a real redis-server and Beast WebSocket
// clients over loopback. A buyer sees their meeting placed and cancelled as it happens, other
// participants do not, the organizer sees everything; a client that reconnects with its last id
// gets exactly what it missed; bad tokens and cursors are refused before the upgrade; a
// redelivered bus message is notified once; a trimmed-away cursor gets resync_required.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "services/common/http_call.hpp"
#include "services/common/redis.hpp"
#include "tests/e2e/booking/booking_fixture.hpp"
#include "tests/support/async.hpp"
#include "tests/support/http_client.hpp"

using namespace sangdam::testing;
using namespace sangdam::testing::booking;

namespace {

constexpr auto kLiveWait = std::chrono::seconds(10);  // one live message, worst case on CI

// One message as a client got it.
struct Live {
  std::string id, type;
  rapidjson::Document json;

  std::string payload(const char* name) const {
    const auto& p = json["payload"];
    return p.HasMember(name) && p[name].IsString() ? p[name].GetString() : "";
  }
};

Live parse_live(const std::string& text) {
  Live live;
  live.json.Parse(text.c_str());
  REQUIRE_FALSE(live.json.HasParseError());
  REQUIRE(live.json.IsObject());
  live.type = live.json["type"].GetString();
  live.id = live.json["id"].GetString();
  return live;
}

// A connected live client of one event.
class LiveClient {
 public:
  LiveClient(SangdamStack& stack, const TestEvent& ev, const std::string& token,
             const std::string& query = "", Headers extra = {})
      : client_(static_cast<unsigned short>(stack.service("gateway").port()),
                ev.base + "/live" + query, with_token(token, std::move(extra)), 0, kLiveWait) {}

  Live next() { return parse_live(client_.receive()); }

  // Reads up to and including the "ready" that ends the replay; returns what came before it.
  std::vector<Live> until_ready(std::string* ready_id = nullptr) {
    std::vector<Live> before;
    for (;;) {
      auto live = next();
      if (live.type == "ready") {
        if (ready_id) *ready_id = live.id;
        return before;
      }
      before.push_back(std::move(live));
    }
  }
  void close() { client_.close(); }

 private:
  static Headers with_token(const std::string& token, Headers extra) {
    extra.push_back({"Authorization", "Bearer " + token});
    return extra;
  }
  WebSocketClient client_;
};

std::string live_key(const TestEvent& ev) {
  return "sangdam:{ev:" + ev.id + "}:live";
}

// Types of the event's live stream entries whose payload names meeting_id.
int live_entries_of(SangdamStack& stack, const TestEvent& ev, const std::string& type,
                    const std::string& meeting_id) {
  sangdam::redis::Command range{"XRANGE", live_key(ev), "-", "+"};
  auto entries = redis_call(stack.redis().port(), std::move(range));
  int found = 0;
  for (const auto& entry : entries.elements) {
    const auto& fields = entry.elements.at(1).elements;
    std::string entry_type, payload;
    for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
      if (fields[i].str == "type") entry_type = fields[i + 1].str;
      if (fields[i].str == "payload") payload = fields[i + 1].str;
    }
    if (entry_type == type && payload.find("\"" + meeting_id + "\"") != std::string::npos) ++found;
  }
  return found;
}

// Ids of the live entries after `after` that concern participant (audience names them or "*").
std::vector<std::string> stream_ids_for(SangdamStack& stack, const TestEvent& ev,
                                        const std::string& participant, const std::string& after) {
  sangdam::redis::Command range{"XRANGE", live_key(ev), "(" + after, "+"};
  std::vector<std::string> ids;
  for (const auto& entry : redis_call(stack.redis().port(), std::move(range)).elements) {
    const auto& fields = entry.elements.at(1).elements;
    for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
      if (fields[i].str != "audience") continue;
      std::string audience = "," + fields[i + 1].str + ",";
      if (audience.find("," + participant + ",") != std::string::npos || audience == ",*,") {
        ids.push_back(entry.elements.at(0).str);
      }
    }
  }
  return ids;
}

// A small event with two buyers and two companies, all speaking English.
struct LiveWorld {
  SangdamStack stack{{"gateway", "ledger"}};
  std::string url = stack.gateway_url();
  TestEvent ev = create_event(url, event_json());
  Party b1 = add_participant(url, ev, buyer_json("B-1", R"(["en"])"));
  Party b2 = add_participant(url, ev, buyer_json("B-2", R"(["en"])"));
  Party c1 = add_participant(url, ev, company_json("C-1", R"(["en"])", "hall"));
  Party c2 = add_participant(url, ev, company_json("C-2", R"(["en"])", "hall"));

  std::string book(const Party& who, const Party& buyer, const Party& company, int slot) {
    auto booked = call(url, who.token, "POST", ev.base + "/bookings",
                       booking_body(buyer.id, company.id, slot));
    REQUIRE(booked.status == 201);
    return json_text(booked, "id");
  }
  void cancel(const Party& who, const std::string& meeting_id) {
    REQUIRE(call(url, who.token, "DELETE", ev.base + "/meetings/" + meeting_id).status == 200);
  }
};

}  // namespace

TEST_CASE("a buyer sees their meeting placed and cancelled live, others only what is theirs") {
  LiveWorld w;
  LiveClient buyer(w.stack, w.ev, w.b1.token);
  LiveClient other(w.stack, w.ev, w.b2.token);
  LiveClient organizer(w.stack, w.ev, w.ev.organizer_token);
  CHECK(buyer.until_ready().empty());
  CHECK(other.until_ready().empty());
  CHECK(organizer.until_ready().empty());

  auto meeting = w.book(w.b1, w.b1, w.c1, 1);
  auto placed = buyer.next();
  CHECK(placed.type == "meeting.placed");
  CHECK(placed.payload("meeting_id") == meeting);
  CHECK(placed.payload("status") == "scheduled");
  CHECK(placed.payload("company_id") == w.c1.id);
  CHECK(placed.payload("start") == "2023-09-13T09:30:00+09:00");  // slot 1, Seoul
  CHECK(placed.payload("end") == "2023-09-13T10:00:00+09:00");

  w.cancel(w.c1, meeting);
  auto cancelled = buyer.next();
  CHECK(cancelled.type == "meeting.cancelled");
  CHECK(cancelled.payload("meeting_id") == meeting);
  CHECK(cancelled.payload("status") == "cancelled");
  CHECK(placed.id < cancelled.id);  // same length ids here: the cursor only grows

  auto seen_placed = organizer.next();
  auto seen_cancelled = organizer.next();
  CHECK(seen_placed.id == placed.id);
  CHECK(seen_cancelled.id == cancelled.id);
  CHECK(seen_cancelled.type == "meeting.cancelled");

  // The other buyer's first message is their own meeting: b1's two never reached them.
  auto theirs = w.book(w.b2, w.b2, w.c2, 2);
  auto first = other.next();
  CHECK(first.type == "meeting.placed");
  CHECK(first.payload("meeting_id") == theirs);
  CHECK(organizer.next().payload("meeting_id") == theirs);
}

TEST_CASE("a client that reconnects with its last id gets exactly what it missed") {
  LiveWorld w;
  std::string last, away_meeting;
  {
    LiveClient buyer(w.stack, w.ev, w.b1.token);
    buyer.until_ready();
    away_meeting = w.book(w.b1, w.b1, w.c1, 0);
    last = buyer.next().id;
    buyer.close();
  }
  // While b1 is away: their meeting is cancelled, another is booked, a company asks them for a
  // meeting, and something happens that is not theirs.
  w.book(w.b2, w.b2, w.c2, 0);
  w.cancel(w.b1, away_meeting);
  auto second = w.book(w.c2, w.b1, w.c2, 3);
  auto request = call(w.url, w.c1.token, "POST", w.ev.base + "/requests",
                      R"({"to":")" + w.b1.id + R"(","message":"Let us meet again"})");
  REQUIRE(request.status == 201);
  std::string request_id = json_text(request, "id");

  // The ledger notifies asynchronously: wait until all three are in the stream. Meetings and
  // requests are different topics, so their notifications may interleave either way; within a
  // topic they keep their order.
  REQUIRE(eventually(
      [&] {
        return live_entries_of(w.stack, w.ev, "meeting.placed", second) == 1 &&
               live_entries_of(w.stack, w.ev, "request.created", request_id) == 1;
      },
      kLiveWait));
  // What b1 missed, straight from the stream: the replay must be exactly these, in this order.
  auto expected = stream_ids_for(w.stack, w.ev, w.b1.id, last);
  REQUIRE(expected.size() == 3);

  auto expect_missed = [&](const std::vector<Live>& missed) {
    std::vector<std::string> ids, order;
    for (const auto& m : missed) {
      ids.push_back(m.id);
      order.push_back(m.type + " " + m.payload("meeting_id") + m.payload("request_id"));
    }
    CHECK(ids == expected);
    std::vector<std::string> meetings_only;
    for (const auto& o : order) {
      if (o.rfind("meeting.", 0) == 0) meetings_only.push_back(o);
    }
    CHECK(meetings_only == std::vector<std::string>{"meeting.cancelled " + away_meeting,
                                                    "meeting.placed " + second});
    CHECK(std::count(order.begin(), order.end(), "request.created " + request_id) == 1);
  };
  std::string ready_id;
  {
    LiveClient again(w.stack, w.ev, w.b1.token, "?after=" + last);
    auto missed = again.until_ready(&ready_id);
    expect_missed(missed);
    // Then live, with no repeat of what was replayed.
    auto answered =
        call(w.url, w.b1.token, "POST", w.ev.base + "/requests/" + request_id + "/accept");
    REQUIRE(answered.status == 200);
    auto live = again.next();
    CHECK(live.type == "request.accepted");
    CHECK(live.payload("request_id") == request_id);
    ready_id = live.id;
  }
  SECTION("the same through Last-Event-ID") {
    LiveClient header(w.stack, w.ev, w.b1.token, "", {{"Last-Event-ID", last}});
    auto missed = header.until_ready();
    REQUIRE(missed.size() == 4);
    missed.pop_back();  // the acceptance, sent live above
    expect_missed(missed);
  }
  SECTION("nothing missed, nothing replayed") {
    LiveClient current(w.stack, w.ev, w.b1.token, "?after=" + ready_id);
    std::string id;
    CHECK(current.until_ready(&id).empty());
    CHECK(id == ready_id);
  }
}

TEST_CASE("refusals come before the upgrade, as JSON errors") {
  LiveWorld w;
  auto port = static_cast<unsigned short>(w.stack.service("gateway").port());
  std::string target = w.ev.base + "/live";
  CHECK_THROWS_WITH(WebSocketClient(port, target, {{"Authorization", "Bearer sdp_not_a_token"}}),
                    Catch::Contains("status 401"));
  CHECK_THROWS_WITH(WebSocketClient(port, target), Catch::Contains("status 401"));

  auto upgrade = [&](const std::string& token, const std::string& path) {
    sangdam::HttpCall http(w.url, token, std::chrono::seconds(10));
    return http.send("GET", path, {}, "application/json",
                     {{"Connection", "Upgrade"},
                      {"Upgrade", "websocket"},
                      {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
                      {"Sec-WebSocket-Version", "13"}});
  };
  for (const char* bad : {"?after=yesterday", "?after=12", "?after=1-x", "?after=-1-0",
                          "?after=99999999999999999999999-0"}) {
    auto refused = upgrade(w.b1.token, target + bad);
    CHECK(refused.status == 400);
    CHECK(refused.body.find("\"invalid_cursor\"") != std::string::npos);
    CHECK(refused.body.find("\"field\":\"after\"") != std::string::npos);
  }
  auto missing = upgrade(sangdam::testing::kAdminToken, "/v1/events/no-such-event/live");
  CHECK(missing.status == 404);
  // A token of another event means nothing here.
  auto elsewhere = create_event(w.url, event_json());
  auto stranger = add_participant(w.url, elsewhere, buyer_json("B-9", R"(["en"])"));
  CHECK(upgrade(stranger.token, target).status == 401);
  // Without the upgrade the route says so.
  CHECK(call(w.url, w.b1.token, "GET", target).status == 426);
}

TEST_CASE("a redelivered bus message is notified once, a trimmed cursor asks for a resync") {
  LiveWorld w;
  auto meeting = w.book(w.b1, w.b1, w.c1, 0);
  auto port = w.stack.redis().port();
  REQUIRE(eventually([&] { return live_entries_of(w.stack, w.ev, "meeting.placed", meeting) == 1; },
                     kLiveWait));

  // The same bus message again (at-least-once delivery, or a publisher retrying).
  sangdam::redis::Command last{"XREVRANGE", "sangdam:meetings:0", "+", "-", "COUNT", "1"};
  auto entry = redis_call(port, std::move(last));
  REQUIRE(entry.elements.size() == 1);
  sangdam::redis::Command again{"XADD", "sangdam:meetings:0", "*"};
  for (const auto& f : entry.elements[0].elements[1].elements) again.push_back(f.str);
  redis_call(port, std::move(again));
  // Handled in stream order: once the next message is notified, the copy was handled before it.
  auto next = w.book(w.b2, w.b2, w.c2, 1);
  REQUIRE(eventually([&] { return live_entries_of(w.stack, w.ev, "meeting.placed", next) == 1; },
                     kLiveWait));
  CHECK(live_entries_of(w.stack, w.ev, "meeting.placed", meeting) == 1);

  // Entries after a client's cursor were trimmed away: the client must reload.
  sangdam::redis::Command first{"XRANGE", live_key(w.ev), "-", "+", "COUNT", "1"};
  std::string first_id = redis_call(port, std::move(first)).elements.at(0).elements.at(0).str;
  sangdam::redis::Command trim{"XTRIM", live_key(w.ev), "MAXLEN", "0"};
  redis_call(port, std::move(trim));
  LiveClient stale(w.stack, w.ev, w.ev.organizer_token, "?after=" + first_id);
  auto resync = stale.next();
  CHECK(resync.type == "resync_required");
  std::string ready;
  CHECK(stale.until_ready(&ready).empty());
  CHECK(ready == resync.id);
  // And it continues live from there.
  w.cancel(w.b1, meeting);
  auto live = stale.next();
  CHECK(live.type == "meeting.cancelled");
  CHECK(live.payload("meeting_id") == meeting);
}

TEST_CASE("check-ins and outcomes reach both sides of the meeting, without the assessment") {
  LiveWorld w;
  auto meeting = w.book(w.b1, w.b1, w.c1, 0);
  // Connect after its notification is written, so that the first live message is the check-in.
  REQUIRE(eventually([&] { return live_entries_of(w.stack, w.ev, "meeting.placed", meeting) == 1; },
                     kLiveWait));
  LiveClient company(w.stack, w.ev, w.c1.token);
  LiveClient other(w.stack, w.ev, w.c2.token);
  company.until_ready();
  other.until_ready();

  std::string at = w.ev.base + "/meetings/" + meeting;
  REQUIRE(call(w.url, w.b1.token, "POST", at + "/checkin", "{}").status == 201);
  auto arrived = company.next();
  CHECK(arrived.type == "checkin.recorded");
  CHECK(arrived.payload("meeting_id") == meeting);
  CHECK(arrived.payload("arrived") == "buyer");
  CHECK(arrived.payload("buyer_id") == w.b1.id);

  REQUIRE(call(w.url, w.b1.token, "POST", at + "/outcome",
               R"({"outcome":"held","rating":"cooperation_likely",)"
               R"("value":{"amount":"150000.00","currency":"USD"},"notes":"price list"})")
              .status == 201);
  auto reported = company.next();
  CHECK(reported.type == "outcome.reported");
  CHECK(reported.payload("outcome") == "held");
  CHECK(reported.payload("reporter") == "buyer");
  CHECK_FALSE(reported.json["payload"].HasMember("rating"));
  CHECK_FALSE(reported.json["payload"].HasMember("notes"));
  CHECK_FALSE(reported.json["payload"].HasMember("value"));

  // c2 has no part in it: its first message is its own meeting.
  auto theirs = w.book(w.c2, w.b2, w.c2, 1);
  CHECK(other.next().payload("meeting_id") == theirs);
}

TEST_CASE("a browser connects with a single-use live ticket instead of a header") {
  LiveWorld w;
  auto port = static_cast<unsigned short>(w.stack.service("gateway").port());
  const std::string target = w.ev.base + "/live";
  auto issued = call(w.url, w.b1.token, "POST", target + "/tickets");
  REQUIRE(issued.status == 201);
  const std::string ticket = json_text(issued, "ticket");
  CHECK(ticket.rfind("sdl_", 0) == 0);
  CHECK(issued.json["expires_in"].GetInt() == 60);
  CHECK(json_text(issued, "url") == target + "?ticket=" + ticket);
  {
    // No Authorization header: the ticket stands for buyer b1, who then hears only b1's news.
    WebSocketClient browser(port, target + "?ticket=" + ticket, {}, 0, kLiveWait);
    CHECK(parse_live(browser.receive()).type == "ready");
    w.book(w.b2, w.b2, w.c2, 2);
    auto mine = w.book(w.b1, w.b1, w.c1, 1);
    auto first = parse_live(browser.receive());
    CHECK(first.type == "meeting.placed");
    CHECK(first.payload("meeting_id") == mine);
  }
  // Used once; a made-up one, none at all, or a ticket of another event open nothing.
  CHECK_THROWS_WITH(WebSocketClient(port, target + "?ticket=" + ticket),
                    Catch::Contains("status 401"));
  CHECK_THROWS_WITH(WebSocketClient(port, target + "?ticket=sdl_made_up"),
                    Catch::Contains("status 401"));
  CHECK(call(w.url, "", "POST", target + "/tickets").status == 401);
  auto elsewhere = create_event(w.url, event_json());
  auto other_ticket =
      call(w.url, elsewhere.organizer_token, "POST", elsewhere.base + "/live/tickets");
  REQUIRE(other_ticket.status == 201);
  CHECK_THROWS_WITH(WebSocketClient(port, target + "?ticket=" + json_text(other_ticket, "ticket")),
                    Catch::Contains("status 401"));
  // A bearer token still works, and the organizer may ask for a ticket too.
  CHECK(call(w.url, w.ev.organizer_token, "POST", target + "/tickets").status == 201);
  LiveClient with_header(w.stack, w.ev, w.b2.token);
  CHECK(with_header.until_ready().empty());  // no cursor: it starts from now
}
