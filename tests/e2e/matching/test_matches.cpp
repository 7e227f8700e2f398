// End to end through the gateway and the matcher as processes, with a real redis-server and the
// sample event (config/samples/seongnam-2023) imported through the API: ranked lists with
// reasons, freshness right after a PATCH, who may read whose list, filters and pages, and
// at-least-once delivery of profile events.
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "services/common/redis.hpp"
#include "tests/support/async.hpp"
#include "tests/support/sangdam_stack.hpp"

using namespace sangdam::testing;

namespace {

struct Participant {
  std::string id;
  std::string token;
};

// The sample event with its 50 buyers and 58 companies, as the organizer imported them.
struct SampleEvent {
  std::string id;
  std::string organizer_token;
  std::map<std::string, Participant> by_external_id;

  std::string matches_path(const std::string& external_id, const std::string& query = "") const {
    return "/v1/events/" + id + "/participants/" + by_external_id.at(external_id).id + "/matches" +
           query;
  }
  std::string profile_path(const std::string& external_id) const {
    return "/v1/events/" + id + "/participants/" + by_external_id.at(external_id).id;
  }
};

SampleEvent import_sample(const std::string& url) {
  auto created =
      call(url, kAdminToken, "POST", "/v1/events", read_text_file(sample_path("event.json")));
  REQUIRE(created.status == 201);
  SampleEvent ev{created.json["id"].GetString(), created.json["organizer_token"].GetString(), {}};
  for (const char* role : {"buyer", "company"}) {
    std::string file = std::string(role) == "buyer" ? "buyers.csv" : "companies.csv";
    auto report =
        call(url, ev.organizer_token, "POST", "/v1/events/" + ev.id + "/imports?role=" + role,
             read_text_file(sample_path(file)), "text/csv");
    REQUIRE(report.status == 200);
    REQUIRE(report.json["summary"]["rejected"].GetInt() == 0);
    for (const auto& row : report.json["accepted"].GetArray()) {
      ev.by_external_id[row["external_id"].GetString()] = {row["id"].GetString(),
                                                           row["token"].GetString()};
    }
  }
  REQUIRE(ev.by_external_id.size() == 108);
  return ev;
}

// The first read after the import may find the matcher still building: that is the one place
// a 503 matches_pending is expected, so set-up waits it out (bounded).
JsonAnswer first_read(SangdamStack& stack, const SampleEvent& ev, const std::string& who) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (;;) {
    auto answer =
        call(stack.gateway_url(), ev.organizer_token, "GET", ev.matches_path(who, "?limit=100"));
    if (answer.status != 503) return answer;
    if (std::chrono::steady_clock::now() > deadline) {
      FAIL_CHECK("the matcher did not catch up; its log:\n" << stack.service("matcher").log());
      return answer;
    }
    CHECK(std::string(answer.json["error"]["code"].GetString()) == "matches_pending");
  }
}

// Rank (1-based) of a counterpart in a list answer, 0 when absent.
int rank_of(const JsonAnswer& list, const std::string& counterpart_id) {
  int rank = 0;
  for (const auto& item : list.json["items"].GetArray()) {
    ++rank;
    if (counterpart_id == item["id"].GetString()) return rank;
  }
  return 0;
}

double score_of(const JsonAnswer& list, const std::string& counterpart_id) {
  for (const auto& item : list.json["items"].GetArray()) {
    if (counterpart_id == item["id"].GetString()) return item["score"].GetDouble();
  }
  return -1;
}

std::vector<std::string> ids_of(const JsonAnswer& list) {
  std::vector<std::string> ids;
  for (const auto& item : list.json["items"].GetArray()) ids.push_back(item["id"].GetString());
  return ids;
}

bool has_reason(const rapidjson::Value& item, const std::string& component) {
  for (const auto& r : item["reasons"].GetArray()) {
    if (component == r["component"].GetString()) return true;
  }
  return false;
}

void check_list_shape(const JsonAnswer& list) {
  REQUIRE(list.status == 200);
  double previous = 101;
  for (const auto& item : list.json["items"].GetArray()) {
    double score = item["score"].GetDouble();
    CHECK(score >= 0);
    CHECK(score <= 100);
    CHECK(score <= previous);                             // best first
    CHECK(score * 10 == Approx(std::round(score * 10)));  // one decimal
    previous = score;
    REQUIRE(item["reasons"].IsArray());
    CHECK(item["reasons"].Size() >= 1);
    for (const auto& r : item["reasons"].GetArray()) {
      CHECK(std::string(r["component"].GetString()).size() > 0);
      CHECK(std::string(r["text"].GetString()).size() > 0);
      CHECK(r["contribution"].GetDouble() >= 0);
    }
  }
}

}  // namespace

TEST_CASE("the Vietnamese hospital buyer seeking oxygen generators finds the oxygen maker on top") {
  SangdamStack stack({"gateway", "matcher"});
  auto url = stack.gateway_url();
  auto ev = import_sample(url);
  const std::string oxygen_maker = ev.by_external_id.at("C-006").id;

  auto list = first_read(stack, ev, "B-VN-01");
  check_list_shape(list);
  INFO(list.body);
  CHECK(std::string(list.json["role"].GetString()) == "buyer");
  CHECK(list.json["items"].Size() == 20);  // top_k of config/matching.json
  int rank = rank_of(list, oxygen_maker);
  CHECK(rank >= 1);
  CHECK(rank <= 3);
  const auto& first = list.json["items"][0];
  CHECK(first.HasMember("name_en"));
  CHECK(first.HasMember("target_markets"));

  // Without the explicit wish the scoring alone must still put it near the top, for reasons
  // of fit (category or product text), not of the wish.
  auto patched =
      call(url, ev.organizer_token, "PATCH", ev.profile_path("B-VN-01"), R"({"must_meet":[]})");
  REQUIRE(patched.status == 200);
  auto after = call(url, ev.organizer_token, "GET", ev.matches_path("B-VN-01", "?limit=100"));
  check_list_shape(after);
  INFO(after.body);
  CHECK(after.json["profile_version"].GetInt64() == patched.json["version"].GetInt64());
  rank = rank_of(after, oxygen_maker);
  CHECK(rank >= 1);
  CHECK(rank <= 3);
  const auto& item = after.json["items"][rank - 1];
  CHECK_FALSE(has_reason(item, "must_meet"));
  CHECK((has_reason(item, "category") || has_reason(item, "text")));

  // A company's leads are buyers, with the buyer's public display fields.
  auto leads = call(url, ev.organizer_token, "GET", ev.matches_path("C-006", "?limit=100"));
  check_list_shape(leads);
  CHECK(std::string(leads.json["role"].GetString()) == "company");
  CHECK(rank_of(leads, ev.by_external_id.at("B-VN-01").id) >= 1);
  CHECK(leads.json["items"][0].HasMember("organisation"));
  CHECK(leads.json["items"][0].HasMember("country"));
  CHECK_FALSE(leads.json["items"][0].HasMember("email"));
}

TEST_CASE("a read right after a PATCH answered 200 never shows the lists as they were") {
  SangdamStack stack({"gateway", "matcher"});
  auto url = stack.gateway_url();
  auto ev = import_sample(url);
  const std::string buyer = ev.by_external_id.at("B-VN-01").id;
  const std::string oxygen_maker = ev.by_external_id.at("C-006").id;
  REQUIRE(first_read(stack, ev, "B-VN-01").status == 200);

  // Two states of the buyer: seeking oxygen generators, or seeking dental implants. Each read
  // right after a PATCH must show that PATCH's state, on the buyer's own list and on the
  // oxygen maker's leads (a counterpart's list that the change touched).
  const std::string oxygen =
      R"({"must_meet":[],"categories":["hospital_equipment.respiratory"],
          "products_sought":"Medical oxygen generators (PSA) for a hospital"})";
  const std::string dental =
      R"({"must_meet":[],"categories":["dental.implants"],
          "products_sought":"Dental implants and abutments for our clinics"})";
  std::map<int, double> lead_score;                  // state -> buyer's score in C-006's leads
  std::map<int, std::vector<std::string>> own_list;  // state -> buyer's list
  for (int round = 0; round < 8; ++round) {
    int state = round % 2;
    auto patched = call(url, ev.organizer_token, "PATCH", ev.profile_path("B-VN-01"),
                        state == 0 ? oxygen : dental);
    REQUIRE(patched.status == 200);
    long long version = patched.json["version"].GetInt64();

    auto own = call(url, ev.organizer_token, "GET", ev.matches_path("B-VN-01", "?limit=100"));
    REQUIRE(own.status == 200);
    INFO("round " << round << ": " << own.body);
    CHECK(own.json["profile_version"].GetInt64() == version);
    int rank = rank_of(own, oxygen_maker);
    if (state == 0) {
      CHECK(rank >= 1);
      CHECK(rank <= 3);
    } else {
      CHECK((rank == 0 || rank > 3));
      bool dental_first = false;
      for (const auto& c : own.json["items"][0]["categories"].GetArray()) {
        dental_first = dental_first || std::string(c.GetString()).rfind("dental", 0) == 0;
      }
      CHECK(dental_first);
    }
    auto leads = call(url, ev.organizer_token, "GET", ev.matches_path("C-006", "?limit=100"));
    REQUIRE(leads.status == 200);
    double score = score_of(leads, buyer);
    if (round < 2) {
      lead_score[state] = score;
      own_list[state] = ids_of(own);
    } else {
      CHECK(score == lead_score[state]);
      CHECK(ids_of(own) == own_list[state]);
    }
  }
  CHECK(lead_score[0] != lead_score[1]);
  CHECK(own_list[0] != own_list[1]);
}

TEST_CASE("the organizer reads anyone's matches, a participant only their own") {
  SangdamStack stack({"gateway", "matcher"});
  auto url = stack.gateway_url();
  auto ev = import_sample(url);
  REQUIRE(first_read(stack, ev, "B-VN-01").status == 200);
  const auto& self = ev.by_external_id.at("B-VN-01");
  const auto& other_buyer = ev.by_external_id.at("B-VN-02");
  const auto& company = ev.by_external_id.at("C-006");

  CHECK(call(url, ev.organizer_token, "GET", ev.matches_path("C-006")).status == 200);
  CHECK(call(url, kAdminToken, "GET", ev.matches_path("C-006")).status == 200);
  CHECK(call(url, self.token, "GET", ev.matches_path("B-VN-01")).status == 200);
  CHECK(call(url, company.token, "GET", ev.matches_path("C-006")).status == 200);

  auto foreign = call(url, other_buyer.token, "GET", ev.matches_path("B-VN-01"));
  CHECK(foreign.status == 403);
  CHECK(std::string(foreign.json["error"]["code"].GetString()) == "forbidden");
  CHECK(call(url, company.token, "GET", ev.matches_path("B-VN-01")).status == 403);
  CHECK(call(url, self.token, "GET", ev.matches_path("C-006")).status == 403);
  CHECK(call(url, "", "GET", ev.matches_path("B-VN-01")).status == 401);
  CHECK(call(url, "sdp_not_a_token", "GET", ev.matches_path("B-VN-01")).status == 401);
  // A token of this event means nothing in another one.
  auto other =
      call(url, kAdminToken, "POST", "/v1/events", read_text_file(sample_path("event.json")));
  REQUIRE(other.status == 201);
  std::string other_event = other.json["id"].GetString();
  CHECK(call(url, self.token, "GET",
             "/v1/events/" + other_event + "/participants/" + self.id + "/matches")
            .status == 401);

  auto missing = call(url, ev.organizer_token, "GET",
                      "/v1/events/" + ev.id + "/participants/b_0000000000000000/matches");
  CHECK(missing.status == 404);
  CHECK(std::string(missing.json["error"]["code"].GetString()) == "participant_not_found");

  // Recompute is the organizer's: 202, and lists stay readable meanwhile and after.
  std::string recompute = "/v1/events/" + ev.id + "/matches/recompute";
  CHECK(call(url, self.token, "POST", recompute).status == 403);
  CHECK(call(url, "", "POST", recompute).status == 401);
  auto accepted = call(url, ev.organizer_token, "POST", recompute);
  CHECK(accepted.status == 202);
  CHECK(call(url, self.token, "GET", ev.matches_path("B-VN-01")).status == 200);
}

TEST_CASE("filters by country, category and minimum score, and pages through the rest") {
  SangdamStack stack({"gateway", "matcher"});
  auto url = stack.gateway_url();
  auto ev = import_sample(url);
  auto all_leads = first_read(stack, ev, "C-006");
  REQUIRE(all_leads.status == 200);
  const auto& items = all_leads.json["items"];
  REQUIRE(items.Size() >= 10);

  SECTION("country: a company's leads from one country") {
    std::string country = items[0]["country"].GetString();
    int expected = 0;
    for (const auto& item : items.GetArray()) expected += country == item["country"].GetString();
    auto filtered = call(url, ev.organizer_token, "GET",
                         ev.matches_path("C-006", "?limit=100&country=" + country));
    REQUIRE(filtered.status == 200);
    CHECK(filtered.json["total"].GetInt() == expected);
    CHECK(static_cast<int>(filtered.json["items"].Size()) == expected);
    for (const auto& item : filtered.json["items"].GetArray()) {
      CHECK(country == item["country"].GetString());
    }
  }

  SECTION("country: a buyer's companies that target a market (lower case accepted)") {
    auto filtered =
        call(url, ev.organizer_token, "GET", ev.matches_path("B-VN-01", "?limit=100&country=vn"));
    REQUIRE(filtered.status == 200);
    CHECK(filtered.json["total"].GetInt() >= 1);
    for (const auto& item : filtered.json["items"].GetArray()) {
      bool targets = false;
      for (const auto& m : item["target_markets"].GetArray()) {
        targets = targets || std::string(m.GetString()) == "VN";
      }
      CHECK(targets);
    }
  }

  SECTION("category: a branch code matches its leaves") {
    std::string leaf = items[0]["categories"][0].GetString();
    std::string branch = leaf.substr(0, leaf.find('.'));
    int expected = 0;
    for (const auto& item : items.GetArray()) {
      bool in_branch = false;
      for (const auto& c : item["categories"].GetArray()) {
        std::string code = c.GetString();
        in_branch = in_branch || code == branch || code.rfind(branch + ".", 0) == 0;
      }
      expected += in_branch;
    }
    auto filtered = call(url, ev.organizer_token, "GET",
                         ev.matches_path("C-006", "?limit=100&category=" + branch));
    REQUIRE(filtered.status == 200);
    CHECK(filtered.json["total"].GetInt() == expected);
    CHECK(expected >= 1);
    auto by_leaf = call(url, ev.organizer_token, "GET",
                        ev.matches_path("C-006", "?limit=100&category=" + leaf));
    REQUIRE(by_leaf.status == 200);
    CHECK(by_leaf.json["total"].GetInt() >= 1);
    CHECK(by_leaf.json["total"].GetInt() <= expected);
  }

  SECTION("min_score keeps the scores at or above it") {
    double median = items[items.Size() / 2]["score"].GetDouble();
    int expected = 0;
    for (const auto& item : items.GetArray()) expected += item["score"].GetDouble() >= median;
    auto filtered =
        call(url, ev.organizer_token, "GET",
             ev.matches_path("C-006", "?limit=100&min_score=" + std::to_string(median)));
    REQUIRE(filtered.status == 200);
    CHECK(filtered.json["total"].GetInt() == expected);
    for (const auto& item : filtered.json["items"].GetArray()) {
      CHECK(item["score"].GetDouble() >= median);
    }
  }

  SECTION("pages of 3 put together are the whole list, in order") {
    std::vector<std::string> paged;
    std::string cursor = "0";
    int pages = 0;
    while (!cursor.empty()) {
      auto page = call(url, ev.organizer_token, "GET",
                       ev.matches_path("C-006", "?limit=3&cursor=" + cursor));
      REQUIRE(page.status == 200);
      CHECK(page.json["items"].Size() <= 3);
      CHECK(page.json["total"].GetInt() == static_cast<int>(items.Size()));
      for (auto& id : ids_of(page)) paged.push_back(id);
      cursor = page.json["next_cursor"].IsNull() ? "" : page.json["next_cursor"].GetString();
      REQUIRE(++pages <= 20);
    }
    CHECK(paged == ids_of(all_leads));
  }

  SECTION("bad filters are 400s naming the parameter") {
    for (const auto& [query, field] :
         std::vector<std::pair<std::string, std::string>>{{"?country=XX1", "country"},
                                                          {"?category=no.such.code", "category"},
                                                          {"?min_score=101", "min_score"},
                                                          {"?min_score=abc", "min_score"},
                                                          {"?limit=0", "limit"},
                                                          {"?limit=101", "limit"},
                                                          {"?cursor=-1", "cursor"}}) {
      auto bad = call(url, ev.organizer_token, "GET", ev.matches_path("C-006", query));
      INFO(query << " -> " << bad.body);
      CHECK(bad.status == 400);
      CHECK(field == bad.json["error"]["field"].GetString());
    }
  }
}

TEST_CASE("a redelivered profile event changes nothing") {
  SangdamStack stack({"gateway", "matcher"});
  auto url = stack.gateway_url();
  auto ev = import_sample(url);
  auto patched = call(url, ev.organizer_token, "PATCH", ev.profile_path("B-VN-01"),
                      R"({"products_sought":"PSA oxygen generators and oxygen concentrators"})");
  REQUIRE(patched.status == 200);
  REQUIRE(call(url, ev.organizer_token, "GET", ev.matches_path("B-VN-01")).status == 200);

  boost::asio::io_context io;
  sangdam::redis::Options options;
  options.port = stack.redis().port();
  auto redis = sangdam::redis::connect(io.get_executor(), options);
  auto get = [&](sangdam::redis::Command command) {
    return run_sync(io, redis->call(std::move(command)));
  };
  std::string tag = "sangdam:{ev:" + ev.id + "}";
  std::string buyer_list = tag + ":matches:" + ev.by_external_id.at("B-VN-01").id;
  std::string company_list = tag + ":matches:" + ev.by_external_id.at("C-006").id;
  auto snapshot = [&] {
    sangdam::redis::Command read{"MGET", tag + ":generation:matches", tag + ":generation:profiles",
                                 buyer_list, company_list};
    auto reply = get(std::move(read));
    std::vector<std::string> values;
    for (const auto& v : reply.elements) values.push_back(v.is_nil() ? "(nil)" : v.str);
    sangdam::redis::Command len{"XLEN", "sangdam:matches:0"};
    values.push_back(std::to_string(get(std::move(len)).integer));
    return values;
  };
  auto before = snapshot();

  // The PATCH's profile.changed again, field for field, as a redelivery would bring it; and
  // an older one (the import's) too.
  sangdam::redis::Command last{"XREVRANGE", "sangdam:profiles:0", "+", "-", "COUNT", "1"};
  auto last_entry = get(std::move(last));
  sangdam::redis::Command first{"XRANGE", "sangdam:profiles:0", "-", "+", "COUNT", "1"};
  auto first_entry = get(std::move(first));
  std::string last_id;
  for (const auto* entry : {&last_entry.elements.at(0), &first_entry.elements.at(0)}) {
    sangdam::redis::Command again{"XADD", "sangdam:profiles:0", "*"};
    for (const auto& field : entry->elements.at(1).elements) again.push_back(field.str);
    last_id = get(std::move(again)).str;
  }
  // Wait until the matcher's group has read and acknowledged both.
  bool settled = false;
  for (int i = 0; i < 200 && !settled; ++i) {
    sangdam::redis::Command groups{"XINFO", "GROUPS", "sangdam:profiles:0"};
    auto reply = get(std::move(groups));
    for (const auto& group : reply.elements) {
      std::map<std::string, std::string> info;
      for (std::size_t f = 0; f + 1 < group.elements.size(); f += 2) {
        const auto& v = group.elements[f + 1];
        info[group.elements[f].str] =
            v.type == sangdam::redis::Reply::Type::kInteger ? std::to_string(v.integer) : v.str;
      }
      settled = info["name"] == "matcher" && info["last-delivered-id"] == last_id &&
                info["pending"] == "0";
    }
    if (!settled) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  REQUIRE(settled);
  CHECK(snapshot() == before);
  CHECK(call(url, ev.organizer_token, "GET", ev.matches_path("B-VN-01")).status == 200);
  redis->close();
}
