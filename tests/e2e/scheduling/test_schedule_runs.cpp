// Schedule runs end to end: gateway, scheduler and matcher as processes on the sample event.
// A full run places every accepted request and must-meet pair (the sample has room for them)
// plus top matches, the timetable passes an independent check, participants see their agenda;
// a repeated run message is skipped; a repair after a cancellation keeps every other meeting
// where it was. Removed pairs never come back.
#include <catch2/catch.hpp>

#include <set>
#include <thread>

#include "tests/e2e/scheduling/scheduling_fixture.hpp"

using namespace sangdam::testing;
using namespace sangdam::testing::scheduling;

namespace {

std::string text(const rapidjson::Value& v, const char* key) {
  return v.HasMember(key) && v[key].IsString() ? v[key].GetString() : "";
}

// Waits until the matcher stored a participant's match list (it works through the imports).
bool matches_ready(const std::string& url, const Sample& s, const Party& who) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  JsonAnswer m;
  while (std::chrono::steady_clock::now() < deadline) {
    m = call(url, s.organizer_token, "GET", s.base + "/participants/" + who.id + "/matches");
    if (m.status == 200 && m.json.IsObject() && m.json.HasMember("items") &&
        m.json["items"].IsArray() && m.json["items"].Size() > 0) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  WARN("no match list for " << who.id << ": " << m.status << " " << m.body);
  return false;
}

std::string start_run(const std::string& url, const Sample& s, const std::string& body) {
  auto queued = call(url, s.organizer_token, "POST", s.base + "/schedule/runs", body);
  REQUIRE(queued.status == 202);
  CHECK(text(queued.json, "status") == "queued");
  return text(queued.json, "id");
}

std::map<std::pair<std::string, std::string>, Meeting> by_pair(const std::vector<Meeting>& all) {
  std::map<std::pair<std::string, std::string>, Meeting> out;
  for (const auto& m : all) out[{m.buyer, m.company}] = m;
  return out;
}

}  // namespace

TEST_CASE("schedule runs: accepted requests, must-meets and top matches, checked, then repaired") {
  SangdamStack stack({"gateway", "scheduler", "matcher"});
  auto url = stack.gateway_url();
  auto s = load_sample(url, sample_event_with({}));
  // Companies are imported last: once the last one has its list, the matcher indexed everyone.
  REQUIRE(matches_ready(url, s, s.companies.back()));
  REQUIRE(matches_ready(url, s, s.buyers.back()));

  // Ten accepted requests over different buyers and companies, both directions.
  std::set<std::pair<std::string, std::string>> accepted;
  for (int i = 0; i < 10; ++i) {
    const auto& buyer = s.buyers[static_cast<std::size_t>(i)];
    const auto& company = s.companies[static_cast<std::size_t>(3 * i % 58)];
    bool buyer_asks = i % 2 == 0;
    auto sent =
        send_request(url, s, buyer_asks ? buyer : company, buyer_asks ? company.id : buyer.id);
    REQUIRE(sent.status == 201);
    auto ok = answer_request(url, s, buyer_asks ? company.token : buyer.token,
                             text(sent.json, "id"), "accept");
    REQUIRE(ok.status == 200);
    accepted.insert({buyer.id, company.id});
  }
  // One pending request: it must not become a meeting.
  REQUIRE(send_request(url, s, s.buyers[20], s.companies[20].id).status == 201);
  // A must-meet pair, and a removed pair that the buyer's request also asked for.
  std::string must = "{\"buyer_id\":\"" + s.buyers[30].id + "\",\"company_id\":\"" +
                     s.companies[40].id + "\",\"weight\":1.5}";
  REQUIRE(call(url, s.organizer_token, "POST", s.base + "/pairs", must).status == 201);
  auto removed_request = send_request(url, s, s.buyers[31], s.companies[41].id);
  REQUIRE(answer_request(url, s, s.companies[41].token, text(removed_request.json, "id"), "accept")
              .status == 200);
  REQUIRE(call(url, s.organizer_token, "DELETE",
               s.base + "/pairs/" + s.buyers[31].id + "/" + s.companies[41].id)
              .status == 204);

  // Bad run requests are refused before anything is queued; only the organizer may run.
  CHECK(call(url, s.organizer_token, "POST", s.base + "/schedule/runs", R"({"mode":"fast"})")
            .status == 400);
  CHECK(call(url, s.organizer_token, "POST", s.base + "/schedule/runs",
             R"({"time_limit_seconds":9999})")
            .status == 400);
  auto not_bool = call(url, s.organizer_token, "POST", s.base + "/schedule/runs",
                       R"({"fairness_first":"yes"})");
  CHECK(not_bool.status == 400);
  CHECK(std::string(not_bool.json["error"]["code"].GetString()) == "wrong_type");
  CHECK(std::string(not_bool.json["error"]["field"].GetString()) == "fairness_first");
  CHECK(call(url, s.buyers[0].token, "POST", s.base + "/schedule/runs", "{}").status == 403);
  CHECK(call(url, s.organizer_token, "GET", s.base + "/schedule/runs/run_nope").status == 404);

  std::string run_id =
      start_run(url, s, R"({"mode":"full","time_limit_seconds":2,"include_top_matches":2})");
  auto run = wait_for_run(url, s, run_id);
  INFO(run.body);
  REQUIRE(text(run.json, "status") == "done");
  const auto& result = run.json["result"];
  CHECK(result["by_kind"]["request"]["total"].GetInt() == 10);
  CHECK(result["by_kind"]["request"]["placed"].GetInt() == 10);
  CHECK(result["by_kind"]["must_meet"]["placed"].GetInt() == 1);
  CHECK(result["by_kind"]["match"]["total"].GetInt() >= 50);
  CHECK(result["unplaced"].GetInt() == 0);
  CHECK(result["publish"]["placed"].GetInt() == result["placed"].GetInt());
  CHECK(result["weight_upper_bound"].GetDouble() >= result["placed_weight"].GetDouble());
  CHECK(result.HasMember("fairness"));
  CHECK_FALSE(result["fairness"]["first"].GetBool());
  CHECK_FALSE(run.json["fairness_first"].GetBool());
  CHECK(result.HasMember("breaks_lower_bound"));

  auto table = timetable(url, s);
  CHECK(static_cast<int>(table.size()) == result["placed"].GetInt());
  auto bad = timetable_violations(s, table, url);
  CHECK(bad.empty());
  for (const auto& b : bad) UNSCOPED_INFO(b);
  auto pairs = by_pair(table);
  for (const auto& pair : accepted) CHECK(pairs.count(pair) == 1);
  CHECK(pairs.count({s.buyers[30].id, s.companies[40].id}) == 1);
  CHECK(pairs.count({s.buyers[20].id, s.companies[20].id}) == 0);  // only pending
  CHECK(pairs.count({s.buyers[31].id, s.companies[41].id}) == 0);  // removed by the organizer
  for (const auto& m : table) CHECK(m.source == "schedule");

  // Participants see their agenda.
  const auto& buyer0 = s.buyers[0];
  auto agenda = call(url, buyer0.token, "GET", s.base + "/participants/" + buyer0.id + "/agenda");
  REQUIRE(agenda.status == 200);
  std::set<std::string> agenda_companies;
  for (const auto& item : agenda.json["items"].GetArray()) {
    agenda_companies.insert(item["company_id"].GetString());
  }
  CHECK(agenda_companies.count(s.companies[0].id) == 1);

  // The meeting events went on the bus with the publish.
  auto types = stream_types(stack.redis().port(), "sangdam:meetings:0");
  CHECK(std::count(types.begin(), types.end(), "meeting.placed") == result["placed"].GetInt());

  // The same run message again (a redelivery): skipped, the record and timetable unchanged.
  std::string finished_at = text(run.json, "finished_at");
  std::string again_id = stream_add(
      stack.redis().port(), "sangdam:schedule:0",
      {"type", "schedule.run", "schema", "1", "event", s.event_id, "key", run_id + "-again", "time",
       "2023-09-01T00:00:00.000Z", "payload", "{\"run_id\":\"" + run_id + "\"}"});
  REQUIRE(wait_consumed(stack.redis().port(), "sangdam:schedule:0", "scheduler", again_id));
  auto same = call(url, s.organizer_token, "GET", s.base + "/schedule/runs/" + run_id);
  CHECK(text(same.json, "finished_at") == finished_at);
  auto again = stream_types(stack.redis().port(), "sangdam:meetings:0");
  CHECK(again.size() == types.size());

  // Cancel one meeting, then repair: every other meeting stays where it was.
  const auto& cancelled = table.front();
  REQUIRE(call(url, s.organizer_token, "DELETE", s.base + "/meetings/" + cancelled.id).status ==
          200);
  // A new accepted request joins too.
  auto late = send_request(url, s, s.buyers[45], s.companies[50].id);
  REQUIRE(answer_request(url, s, s.companies[50].token, text(late.json, "id"), "accept").status ==
          200);
  std::string repair_id =
      start_run(url, s, R"({"mode":"repair","time_limit_seconds":1,"include_top_matches":2})");
  auto repaired = wait_for_run(url, s, repair_id);
  INFO(repaired.body);
  REQUIRE(text(repaired.json, "status") == "done");
  auto after = timetable(url, s);
  CHECK(timetable_violations(s, after, url).empty());
  auto after_pairs = by_pair(after);
  int kept_in_place = 0;
  for (const auto& m : table) {
    if (m.id == cancelled.id) continue;
    auto it = after_pairs.find({m.buyer, m.company});
    REQUIRE(it != after_pairs.end());
    CHECK(it->second.slot == m.slot);
    CHECK(it->second.id == m.id);
    if (it->second.slot == m.slot) ++kept_in_place;
  }
  CHECK(kept_in_place == static_cast<int>(table.size()) - 1);
  CHECK(after_pairs.count({s.buyers[45].id, s.companies[50].id}) == 1);
  // The cancelled pair does not come back by itself.
  CHECK(after_pairs.count({cancelled.buyer, cancelled.company}) == 0);
  // The moves list the new meeting (from "not scheduled") and nothing moved elsewhere.
  const auto& moves = repaired.json["result"]["moves"];
  bool new_listed = false;
  for (const auto& m : moves.GetArray()) {
    if (text(m, "buyer_id") == s.buyers[45].id) new_listed = m["from_slot"].GetInt() == -1;
    if (m["from_slot"].GetInt() >= 0 && m["to_slot"].GetInt() >= 0) {
      FAIL_CHECK("a kept meeting moved: " << text(m, "buyer_id") << " " << text(m, "company_id"));
    }
  }
  CHECK(new_listed);

  // Six bookings with a free slot between each for one buyer on the first day (12 slots): with
  // the daily maximum of 8 at most two more meetings fill gaps, so the bookings force breaks
  // beyond the bound; with fairness first they are never left out all the same.
  // The buyer's scheduled meetings are cancelled first, so that its day is free to book.
  const Party& booker = s.buyers[7];
  for (const auto& m : timetable(url, s)) {
    if (m.buyer == booker.id) {
      REQUIRE(call(url, s.organizer_token, "DELETE", s.base + "/meetings/" + m.id).status == 200);
    }
  }
  std::set<std::string> booked_with;
  for (int slot = 0; slot < 12; slot += 2) {
    for (const auto& company : s.companies) {
      if (booked_with.count(company.id)) continue;
      std::string body = R"({"buyer_id":")" + booker.id + R"(","company_id":")" + company.id +
                         R"(","slot":)" + std::to_string(slot) + "}";
      if (call(url, booker.token, "POST", s.base + "/bookings", body).status == 201) {
        booked_with.insert(company.id);
        break;
      }
    }
  }
  REQUIRE(booked_with.size() == 6);

  // With fairness first the published timetable keeps max - min breaks within the bound (or
  // what the bookings force).
  std::string fair_id = start_run(
      url, s,
      R"({"mode":"full","time_limit_seconds":1,"include_top_matches":2,"fairness_first":true})");
  auto fair = wait_for_run(url, s, fair_id);
  INFO(fair.body);
  REQUIRE(text(fair.json, "status") == "done");
  CHECK(fair.json["fairness_first"].GetBool());
  const auto& fairness = fair.json["result"]["fairness"];
  CHECK(fairness["first"].GetBool());
  const auto& booked = fair.json["result"]["by_kind"]["booked"];
  CHECK(booked["placed"].GetInt() == booked["total"].GetInt());
  auto fair_table = timetable(url, s);
  CHECK(timetable_violations(s, fair_table, url).empty());
  int booker_meetings = 0;
  for (const auto& m : fair_table) {
    if (m.buyer == booker.id && booked_with.count(m.company)) ++booker_meetings;
  }
  CHECK(booker_meetings == static_cast<int>(booked_with.size()));
}
