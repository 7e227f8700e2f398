// End to end through the gateway and the registry as processes, over real HTTP, with a real
// redis-server: events, participants, bulk imports, the intake stream, and who may do what.
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <set>
#include <thread>

#include "services/common/redis.hpp"
#include "tests/support/async.hpp"
#include "tests/support/sangdam_stack.hpp"

using namespace sangdam::testing;

namespace {

struct SampleEvent {
  std::string id;
  std::string organizer_token;
};

SampleEvent create_sample_event(const std::string& url) {
  auto created =
      call(url, kAdminToken, "POST", "/v1/events", read_text_file(sample_path("event.json")));
  REQUIRE(created.status == 201);
  return {created.json["id"].GetString(), created.json["organizer_token"].GetString()};
}

JsonAnswer import_file(const std::string& url, const SampleEvent& ev, const std::string& role,
                       const std::string& csv) {
  return call(url, ev.organizer_token, "POST", "/v1/events/" + ev.id + "/imports?role=" + role, csv,
              "text/csv");
}

std::string buyer_json(const std::string& external_id, const std::string& extra = "") {
  return R"({"role":"buyer","external_id":")" + external_id +
         R"(","organisation":"Mekong Medical Supply","contact_name":"Pham Thi Lan",
"email":"lan@mekong.example","country":"VN","buyer_type":"distributor",
"categories":["hospital_equipment.respiratory"],"products_sought":"oxygen generator",
"languages":["vi","en"])" +
         extra + "}";
}

}  // namespace

TEST_CASE(
    "the sample event loads 50 buyers, 58 companies, 15 buyer countries, and again changes "
    "nothing") {
  SangdamStack stack({"gateway"});
  auto url = stack.gateway_url();
  auto ev = create_sample_event(url);

  auto buyers = import_file(url, ev, "buyer", read_text_file(sample_path("buyers.csv")));
  REQUIRE(buyers.status == 200);
  CHECK(buyers.json["summary"]["accepted"].GetInt() == 50);
  CHECK(buyers.json["summary"]["rejected"].GetInt() == 0);
  CHECK(buyers.json["summary"]["created"].GetInt() == 50);
  auto companies = import_file(url, ev, "company", read_text_file(sample_path("companies.csv")));
  REQUIRE(companies.status == 200);
  CHECK(companies.json["summary"]["accepted"].GetInt() == 58);
  CHECK(companies.json["summary"]["rejected"].GetInt() == 0);

  auto list = call(url, ev.organizer_token, "GET",
                   "/v1/events/" + ev.id + "/participants?role=buyer&limit=500");
  REQUIRE(list.status == 200);
  CHECK(list.json["total"].GetInt() == 50);
  std::set<std::string> countries;
  for (const auto& b : list.json["items"].GetArray()) countries.insert(b["country"].GetString());
  CHECK(countries.size() == 15);

  // Re-importing the same file changes nothing: every row is "unchanged", nothing is added.
  auto again = import_file(url, ev, "buyer", read_text_file(sample_path("buyers.csv")));
  REQUIRE(again.status == 200);
  CHECK(again.json["summary"]["created"].GetInt() == 0);
  for (const auto& row : again.json["accepted"].GetArray()) {
    CHECK(std::string(row["status"].GetString()) == "unchanged");
    CHECK_FALSE(row.HasMember("token"));
  }
  auto list_again = call(url, ev.organizer_token, "GET",
                         "/v1/events/" + ev.id + "/participants?role=company&limit=10");
  CHECK(list_again.json["total"].GetInt() == 58);
  CHECK(list_again.json["items"].Size() == 10);
  CHECK(std::string(list_again.json["next_cursor"].GetString()) == "10");
}

TEST_CASE("a CSV with bad rows rejects exactly those rows, with reasons, and takes the rest") {
  SangdamStack stack({"gateway"});
  auto url = stack.gateway_url();
  auto ev = create_sample_event(url);
  std::string header =
      "external_id,organisation,contact_name,country,buyer_type,categories,languages,"
      "budget_min,budget_currency,products_sought\n";
  std::string csv =
      header +
      "X-1,Good Buyer One,A,VN,hospital,hospital_equipment.respiratory,vi,100.00,USD,\n"
      "X-2,,B,VN,hospital,hospital_equipment.respiratory,vi,,,\n"  // missing
      "X-3,Bad Country,C,QQ,hospital,hospital_equipment.respiratory,vi,,,\n"
      "X-4,Bad Category,D,VN,hospital,no.such.category,vi,,,\n"
      "X-5,Bad Money,E,VN,hospital,hospital_equipment.respiratory,vi,12.345,USD,\n"
      "X-6,Bad \xC3\x28 UTF8,F,VN,hospital,hospital_equipment.respiratory,vi,,,\n"
      "X-1,Duplicate,G,VN,hospital,hospital_equipment.respiratory,vi,,,\n"
      "X-8," +
      std::string(300, 'L') +
      ",H,VN,hospital,hospital_equipment.respiratory,vi,,,\n"
      "X-9,\"Good, Buyer \"\"Two\"\"\",I,TH,government,"
      "hospital_equipment.respiratory,th;en,,,\"oxygen, \"\"PSA\"\"\nand 산소발생기\"\n";
  auto report = import_file(url, ev, "buyer", "\xEF\xBB\xBF" + csv);  // with a BOM
  REQUIRE(report.status == 200);
  std::map<std::string, std::string> reasons;
  for (const auto& r : report.json["rejected"].GetArray()) {
    reasons[std::to_string(r["row"].GetInt())] = r["reason"].GetString();
  }
  INFO(report.body);
  CHECK(reasons.size() == 7);
  CHECK(reasons.count("3") == 1);  // missing organisation
  CHECK(std::string(report.json["rejected"][0]["field"].GetString()) == "organisation");
  CHECK(reasons["4"] == "unknown_country");
  CHECK(reasons["5"] == "unknown_category");
  CHECK(reasons.count("6") == 1);  // bad money
  CHECK(reasons["7"] == "invalid_utf8");
  CHECK(reasons["8"] == "duplicate_external_id");
  CHECK(reasons.count("9") == 1);  // too long
  REQUIRE(report.json["accepted"].Size() == 2);
  CHECK(std::string(report.json["accepted"][0]["external_id"].GetString()) == "X-1");
  CHECK(std::string(report.json["accepted"][1]["external_id"].GetString()) == "X-9");

  auto list = call(url, ev.organizer_token, "GET", "/v1/events/" + ev.id + "/participants");
  CHECK(list.json["total"].GetInt() == 2);
}

TEST_CASE("profiles: register, read, patch, idempotent by external id, bad input changes nothing") {
  SangdamStack stack({"gateway"});
  auto url = stack.gateway_url();
  auto ev = create_sample_event(url);
  std::string base = "/v1/events/" + ev.id + "/participants";

  auto created = call(url, ev.organizer_token, "POST", base, buyer_json("API-1"));
  REQUIRE(created.status == 201);
  std::string id = created.json["id"].GetString();
  std::string token = created.json["token"].GetString();
  CHECK(token.size() >= 32);

  auto same = call(url, ev.organizer_token, "POST", base, buyer_json("API-1"));
  CHECK(same.status == 200);
  CHECK(std::string(same.json["id"].GetString()) == id);
  CHECK(std::string(same.json["status"].GetString()) == "unchanged");

  auto own = call(url, token, "GET", base + "/" + id);
  REQUIRE(own.status == 200);
  CHECK(std::string(own.json["email"].GetString()) == "lan@mekong.example");

  auto patched = call(url, token, "PATCH", base + "/" + id, R"({"contact_name":"Pham Lan"})");
  REQUIRE(patched.status == 200);
  CHECK(patched.json["version"].GetInt() == 2);
  auto after = call(url, token, "GET", base + "/" + id);
  CHECK(std::string(after.json["contact_name"].GetString()) == "Pham Lan");
  CHECK(std::string(after.json["organisation"].GetString()) == "Mekong Medical Supply");

  // Bad input: a clear JSON error naming the field, and the profile stays as it was.
  auto bad = call(url, token, "PATCH", base + "/" + id, R"({"country":"XX"})");
  CHECK(bad.status == 400);
  CHECK(std::string(bad.json["error"]["field"].GetString()) == "country");
  auto malformed = call(url, token, "PATCH", base + "/" + id, R"({"country":)");
  CHECK(malformed.status == 400);
  CHECK(std::string(malformed.json["error"]["code"].GetString()) == "malformed_json");
  auto immutable = call(url, token, "PATCH", base + "/" + id, R"({"external_id":"OTHER"})");
  CHECK(immutable.status == 422);
  auto unchanged = call(url, token, "GET", base + "/" + id);
  CHECK(std::string(unchanged.json["country"].GetString()) == "VN");
  CHECK(unchanged.body == after.body);

  auto missing = call(url, ev.organizer_token, "GET", base + "/b_0000000000000000");
  CHECK(missing.status == 404);
  auto wrong_type = call(url, ev.organizer_token, "POST", base, "a,b\n1,2\n", "text/csv");
  CHECK(wrong_type.status == 400);

  // Rotating the token: the old one stops working, the new one works; revoking ends it.
  auto rotated = call(url, ev.organizer_token, "POST", base + "/" + id + "/token");
  REQUIRE(rotated.status == 200);
  std::string new_token = rotated.json["token"].GetString();
  CHECK(call(url, token, "GET", base + "/" + id).status == 401);
  CHECK(call(url, new_token, "GET", base + "/" + id).status == 200);
  CHECK(call(url, ev.organizer_token, "DELETE", base + "/" + id + "/token").status == 204);
  CHECK(call(url, new_token, "GET", base + "/" + id).status == 401);
}

TEST_CASE(
    "the intake stream: the same profile twice yields one participant, bad entries are "
    "dead-lettered") {
  SangdamStack stack({"gateway", "registry"});
  auto url = stack.gateway_url();
  auto ev = create_sample_event(url);

  boost::asio::io_context io;
  sangdam::redis::Options options;
  options.port = stack.redis().port();
  auto redis = sangdam::redis::connect(io.get_executor(), options);
  auto xadd = [&](const std::string& key, const std::string& event, const std::string& payload) {
    sangdam::redis::Command command{"XADD",        "sangdam:intake", "*",    "type",
                                    "participant", "event",          event,  "idempotency_key",
                                    key,           "payload",        payload};
    run_sync(io, redis->call(std::move(command)));
  };
  xadd("k1", ev.id, buyer_json("STREAM-1"));
  xadd("k1", ev.id, buyer_json("STREAM-1"));                        // redelivered
  xadd("k2", ev.id, buyer_json("STREAM-1", R"(,"hosted":true)"));   // an update
  xadd("k3", ev.id, "{not json");                                   // malformed
  xadd("k4", ev.id, buyer_json("STREAM-2", R"(,"hosted":"yes")"));  // invalid
  xadd("k5", "ev_does_not_exist", buyer_json("STREAM-3"));          // unknown event

  std::string list_path = "/v1/events/" + ev.id + "/participants?role=buyer";
  long long dead = 0;
  for (int i = 0; i < 100; ++i) {
    sangdam::redis::Command len{"XLEN", "sangdam:dead:intake"};
    dead = run_sync(io, redis->call(std::move(len))).integer;
    auto list = call(url, ev.organizer_token, "GET", list_path);
    if (dead >= 3 && list.json["total"].GetInt() >= 1 &&
        list.json["items"][0]["hosted"].GetBool()) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(dead == 3);
  auto list = call(url, ev.organizer_token, "GET", list_path);
  REQUIRE(list.json["total"].GetInt() == 1);
  CHECK(std::string(list.json["items"][0]["external_id"].GetString()) == "STREAM-1");
  CHECK(list.json["items"][0]["hosted"].GetBool());

  sangdam::redis::Command range{"XRANGE", "sangdam:dead:intake", "-", "+"};
  auto entries = run_sync(io, redis->call(std::move(range)));
  std::set<std::string> reasons;
  for (const auto& entry : entries.elements) {
    const auto& fields = entry.elements.at(1).elements;
    for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
      if (fields[i].str == "reason") reasons.insert(fields[i + 1].str);
    }
  }
  CHECK(reasons.size() == 3);
  redis->close();
  CHECK(stack.service("registry").stop() == 0);
}

TEST_CASE("access: every endpoint so far against every role") {
  SangdamStack stack({"gateway"});
  auto url = stack.gateway_url();
  auto ev = create_sample_event(url);
  auto other_event = create_sample_event(url);
  std::string base = "/v1/events/" + ev.id;
  auto buyer = call(url, ev.organizer_token, "POST", base + "/participants", buyer_json("M-1"));
  auto buyer2 = call(url, ev.organizer_token, "POST", base + "/participants", buyer_json("M-2"));
  auto victim = call(url, ev.organizer_token, "POST", base + "/participants", buyer_json("M-3"));
  REQUIRE(buyer.status == 201);
  REQUIRE(buyer2.status == 201);
  REQUIRE(victim.status == 201);
  std::string buyer_id = buyer.json["id"].GetString();
  std::string victim_id = victim.json["id"].GetString();

  std::map<std::string, std::string> tokens = {
      {"none", ""},
      {"wrong_event", other_event.organizer_token},
      {"participant", buyer.json["token"].GetString()},
      {"other_participant", buyer2.json["token"].GetString()},
      {"organizer", ev.organizer_token},
      {"admin", kAdminToken},
  };
  struct Row {
    std::string method, target, body, content_type;
    std::map<std::string, unsigned> expected;
  };
  int n = 100;
  auto fresh_buyer = [&] { return buyer_json("N-" + std::to_string(++n)); };
  const std::string kCsv =
      "external_id,organisation,country,buyer_type,categories,languages\n"
      "CSV-1,Importer,VN,importer,hospital_equipment.respiratory,vi\n";
  std::vector<Row> rows = {
      {"POST",
       "/v1/events",
       "EVENT",
       "application/json",
       {{"none", 401},
        {"wrong_event", 401},
        {"participant", 401},
        {"other_participant", 401},
        {"organizer", 401},
        {"admin", 201}}},
      {"GET",
       base,
       "",
       "",
       {{"none", 401},
        {"wrong_event", 401},
        {"participant", 200},
        {"other_participant", 200},
        {"organizer", 200},
        {"admin", 200}}},
      {"POST",
       base + "/participants",
       "BUYER",
       "application/json",
       {{"none", 401},
        {"wrong_event", 401},
        {"participant", 403},
        {"other_participant", 403},
        {"organizer", 201},
        {"admin", 201}}},
      {"POST",
       base + "/imports?role=buyer",
       kCsv,
       "text/csv",
       {{"none", 401},
        {"wrong_event", 401},
        {"participant", 403},
        {"other_participant", 403},
        {"organizer", 200},
        {"admin", 200}}},
      {"GET",
       base + "/participants",
       "",
       "",
       {{"none", 401},
        {"wrong_event", 401},
        {"participant", 403},
        {"other_participant", 403},
        {"organizer", 200},
        {"admin", 200}}},
      {"GET",
       base + "/participants/" + buyer_id,
       "",
       "",
       {{"none", 401},
        {"wrong_event", 401},
        {"participant", 200},
        {"other_participant", 403},
        {"organizer", 200},
        {"admin", 200}}},
      {"PATCH",
       base + "/participants/" + buyer_id,
       R"({"contact_name":"X"})",
       "application/json",
       {{"none", 401},
        {"wrong_event", 401},
        {"participant", 200},
        {"other_participant", 403},
        {"organizer", 200},
        {"admin", 200}}},
      {"POST",
       base + "/participants/" + victim_id + "/token",
       "",
       "",
       {{"none", 401},
        {"wrong_event", 401},
        {"participant", 403},
        {"other_participant", 403},
        {"organizer", 200},
        {"admin", 200}}},
  };
  for (const auto& row : rows) {
    for (const auto& [role, token] : tokens) {
      std::string body = row.body;
      if (body == "EVENT") body = read_text_file(sample_path("event.json"));
      if (body == "BUYER") body = fresh_buyer();
      auto answer = call(url, token, row.method, row.target, body, row.content_type);
      INFO(row.method << " " << row.target << " as " << role << ": " << answer.body);
      CHECK(answer.status == row.expected.at(role));
      if (answer.status >= 400) {
        REQUIRE(answer.json.IsObject());
        CHECK(answer.json["error"]["code"].IsString());
        CHECK(answer.json["error"]["message"].IsString());
      }
    }
  }

  // A counterpart sees only public fields.
  auto company = call(url, ev.organizer_token, "POST", base + "/participants",
                      R"({"role":"company","external_id":"CO-1","name_en":"Oxy Korea",
"categories":["hospital_equipment.respiratory"],"languages":["ko","en"],"venue":"gravity",
"email":"sales@oxy.example"})");
  REQUIRE(company.status == 201);
  auto seen = call(url, buyer.json["token"].GetString(), "GET",
                   base + "/participants/" + company.json["id"].GetString());
  REQUIRE(seen.status == 200);
  CHECK(std::string(seen.json["name_en"].GetString()) == "Oxy Korea");
  CHECK_FALSE(seen.json.HasMember("email"));
  auto seen_back =
      call(url, company.json["token"].GetString(), "GET", base + "/participants/" + buyer_id);
  REQUIRE(seen_back.status == 200);
  CHECK_FALSE(seen_back.json.HasMember("email"));
  CHECK(stack.service("gateway").stop() == 0);
}
