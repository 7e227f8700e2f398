#include <catch2/catch.hpp>

#include "matching/error.hpp"
#include "matching/schedule/problem.hpp"
#include "matching/schedule/solution.hpp"
#include "matching/schedule/synthetic.hpp"
#include "tests/unit/schedule/sample_problem.hpp"

using namespace sangdam::schedule;

namespace {

// Parses text expected to be refused; returns the error for inspection.
sangdam::Error refusal(const std::string& text) {
  try {
    parse_problem(text);
  } catch (const sangdam::Error& e) {
    return e;
  }
  FAIL("accepted: " << text);
  return sangdam::Error(sangdam::ErrorCode::kInternal, "", "");
}

std::string with(const std::string& from, const std::string& to) {
  std::string text = testing::kSampleProblem;
  auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("the sample problem file parses into the model") {
  Problem p = parse_problem(testing::kSampleProblem);
  REQUIRE(p.slots.size() == 6);
  CHECK(p.slots[2].session == Session::kMorning);
  CHECK(p.slots[3].session == Session::kAfternoon);
  CHECK(p.venues.size() == 2);
  CHECK(travel_slots(p, "gravity", "kins") == 1);
  CHECK(travel_slots(p, "kins", "gravity") == 1);
  CHECK(travel_slots(p, "kins", "kins") == 0);
  CHECK(p.participants[0].unavailable == std::vector<int>{0});
  CHECK(p.participants[3].capacity == 2);
  CHECK(p.meetings[1].session == SessionRestriction::kMorning);
  CHECK(p.meetings[2].after == std::vector<std::string>{"m1"});
  CHECK(p.meetings[3].fixed_slot == 4);
  CHECK(p.meetings[0].language_pair == "vi-ko");
  CHECK(p.max_meetings_per_day == 0);  // no daily maximum unless the file sets one
  CHECK(daily_maximum(p, p.participants[0]) == 0);
}

TEST_CASE("a problem survives to_json and parse_problem unchanged") {
  SyntheticShape shape;
  shape.days = 2;
  shape.venues = 3;
  shape.travel_minutes = 25;
  shape.languages = 2;
  shape.unavailable_share = 0.1;
  shape.session_share = 0.3;
  shape.fixed_share = 0.1;
  shape.precedence_share = 0.3;
  shape.multi_seat_share = 0.3;
  shape.meetings = 12;
  shape.max_meetings_per_day = 4;
  shape.own_daily_share = 0.5;
  Problem p = synthetic_problem(shape);
  CHECK(p.max_meetings_per_day == 4);
  std::string text = to_json(p);
  CHECK(to_json(parse_problem(text)) == text);
}

TEST_CASE("bad problem files are refused with the field at fault") {
  struct Case {
    std::string from, to, reason, field;
  };
  std::vector<Case> cases = {
      {R"("between": ["buyer-vn", "oxygen"])", R"("between": ["buyer-vn", "nobody"])",
       "unknown_participant", "meetings[0].between[1]"},
      {R"("between": ["buyer-vn", "oxygen"])", R"("between": ["oxygen", "oxygen"])", "self_meeting",
       "meetings[0].between"},
      {R"("weight": 3,)", R"("weight": 0,)", "out_of_range", "meetings[0].weight"},
      {R"("weight": 3,)", R"("weight": "3",)", "wrong_type", "meetings[0].weight"},
      {R"("fixed_slot": 4)", R"("fixed_slot": 6)", "slot_out_of_range", "meetings[3].fixed_slot"},
      {R"("unavailable": [0])", R"("unavailable": [-1])", "slot_out_of_range",
       "participants[0].unavailable[0]"},
      {R"({"id": "oxygen", "role": "company"})", R"({"id": "buyer-us", "role": "company"})",
       "duplicate_id", "participants[2].id"},
      {R"("role": "company", "capacity": 2)", R"("role": "company", "capacity": 0)", "out_of_range",
       "participants[3].capacity"},
      {R"("role": "company", "capacity": 2)", R"("role": "seller", "capacity": 2)", "unknown_role",
       "participants[3].role"},
      {R"("session": "morning")", R"("session": "evening")", "unknown_session",
       "meetings[1].session"},
      {R"("venue": "kins", "after": ["m1"])", R"("venue": "hall", "after": ["m1"])",
       "unknown_venue", "meetings[2].venue"},
      {R"("after": ["m1"])", R"("after": ["m9"])", "unknown_meeting", "meetings[2].after[0]"},
      {R"("weight": 3, "language": "vi-ko",)", R"("weight": 3, "after": ["m3"],)",
       "precedence_cycle", ""},
      {R"("tables": 2})", R"("tables": -2})", "out_of_range", "venues[0].tables"},
      {R"("fairness_bound": 2,)", R"("fairness_bound": 2, "max_meetings_per_day": -1,)",
       "out_of_range", "max_meetings_per_day"},
      {R"("capacity": 2})", R"("capacity": 2, "max_meetings_per_day": "8"})", "wrong_type",
       "participants[3].max_meetings_per_day"},
      {R"("minutes": 20)", R"("minutes": 20.5)", "wrong_type", "travel[0].minutes"},
      {R"("fairness_bound": 2,)", R"("fairness_bound": 2, "fairness_first": "yes",)", "wrong_type",
       "fairness_first"},
      {R"("days": [{"morning": 3, "afternoon": 3}])", R"("days": [])", "out_of_range", "days"},
      {R"("fixed_slot": 4,)", R"("fixed_slot": 4)", "malformed_json", ""},
  };
  for (const auto& c : cases) {
    INFO(c.to);
    auto e = refusal(with(c.from, c.to));
    CHECK(e.code() == sangdam::ErrorCode::kInvalidArgument);
    CHECK(e.reason() == c.reason);
    if (!c.field.empty()) CHECK(e.field() == c.field);
  }
}

TEST_CASE("a meeting needs a venue when there are several") {
  auto e = refusal(with(R"("venue": "kins", )", ""));
  CHECK(e.reason() == "missing_field");
  CHECK(e.field() == "meetings[2].venue");
}

TEST_CASE("a solution survives to_json and parse_solution") {
  Solution s;
  s.assignments = {{"m1", 3, "gravity", 1}, {"m2", 0, "kins", 0}};
  s.unplaced = {{"m3", "capacity_exhausted", "tables_full in 2 slots"}};
  s.moves = {{"m1", 2, 3}, {"m4", 1, -1}};
  s.objective.placed = 2;
  s.objective.placed_weight = 4.5;
  s.objective.breaks = 1;
  s.proven_optimal = true;
  std::string text = to_json(s);
  CHECK(to_json(parse_solution(text)) == text);
  CHECK_THROWS_AS(parse_solution(R"({"assignments": [{"meeting": "m1"}]})"), sangdam::Error);
  CHECK_THROWS_AS(parse_solution(R"({"assignments": 3})"), sangdam::Error);
}

TEST_CASE("fairness_first is read, defaults to false, and survives a round trip") {
  CHECK_FALSE(parse_problem(testing::kSampleProblem).fairness_first);
  Problem first = parse_problem(
      with(R"("fairness_bound": 2,)", R"("fairness_bound": 2, "fairness_first": true,)"));
  CHECK(first.fairness_first);
  CHECK(parse_problem(to_json(first)).fairness_first);
  CHECK_FALSE(parse_problem(to_json(parse_problem(testing::kSampleProblem))).fairness_first);
}
