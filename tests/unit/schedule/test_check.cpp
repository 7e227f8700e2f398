#include <catch2/catch.hpp>

#include <set>

#include "matching/schedule/check.hpp"
#include "tests/unit/schedule/sample_problem.hpp"

using namespace sangdam::schedule;

namespace {

// A feasible schedule of the sample problem; each test breaks one constraint.
Solution baseline() {
  Solution s;
  s.assignments = {{"m1", 3, "gravity", 0},
                   {"m2", 2, "gravity", 0},
                   {"m3", 5, "kins", 0},
                   {"m4", 4, "gravity", 0}};
  return s;
}

Assignment& of(Solution& s, const std::string& meeting) {
  for (auto& a : s.assignments) {
    if (a.meeting == meeting) return a;
  }
  FAIL("no assignment for " << meeting);
  return s.assignments.front();
}

std::set<std::string> kinds(const Problem& p, const Solution& s) {
  std::set<std::string> out;
  for (const auto& v : check(p, s).violations) out.insert(v.kind);
  return out;
}

Problem sample_with(const std::string& from, const std::string& to) {
  std::string text = testing::kSampleProblem;
  auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return parse_problem(text.replace(at, from.size(), to));
}

using Kinds = std::set<std::string>;

}  // namespace

TEST_CASE("the checker accepts a feasible schedule and computes its objective") {
  Problem p = parse_problem(testing::kSampleProblem);
  CheckReport r = check(p, baseline());
  CHECK(r.ok());
  CHECK(r.objective.placed == 4);
  CHECK(r.objective.placed_weight == Approx(7.5));
  // buyer-vn 3,5 / buyer-us 2,4 / heater 2,5 have a break; oxygen 3,4 has none.
  CHECK(r.objective.breaks == 3);
  CHECK(r.objective.max_breaks == 1);
  CHECK(r.objective.min_breaks == 0);
  CHECK(r.objective.venue_changes == 1);  // buyer-vn: gravity then kins
  CHECK(r.fairness_met);
}

TEST_CASE("the checker reports fairness beyond d without calling it a violation") {
  Problem p = parse_problem(testing::kSampleProblem);
  CheckReport r = check(p, baseline(), 0);
  CHECK(r.ok());
  CHECK_FALSE(r.fairness_met);
  CHECK(r.objective.fairness_excess == 1);
}

TEST_CASE("the checker catches each hard constraint") {
  Problem p = parse_problem(testing::kSampleProblem);

  SECTION("a participant in two meetings at once") {
    Solution s = baseline();
    of(s, "m1") = {"m1", 4, "gravity", 1};
    s.assignments.erase(s.assignments.begin() + 2);  // m3
    s.unplaced.push_back({"m3", "test", ""});
    CHECK(kinds(p, s) == Kinds{"participant_double_booked"});
  }
  SECTION("an unavailable participant") {
    Solution s = baseline();
    of(s, "m1").slot = 0;
    CHECK(kinds(p, s) == Kinds{"participant_unavailable"});
  }
  SECTION("a morning-only meeting in the afternoon") {
    Solution s = baseline();
    of(s, "m2") = {"m2", 3, "gravity", 1};
    CHECK(kinds(p, s) == Kinds{"session"});
  }
  SECTION("a fixed meeting moved") {
    Solution s = baseline();
    of(s, "m4").slot = 5;
    CHECK(kinds(p, s) == Kinds{"fixed_slot"});
  }
  SECTION("a precedence reversed") {
    Solution s = baseline();
    of(s, "m1").slot = 5;
    of(s, "m2").slot = 0;
    of(s, "m3").slot = 3;
    CHECK(kinds(p, s) == Kinds{"precedence"});
  }
  SECTION("no time to travel between venues") {
    Solution s = baseline();
    of(s, "m3").slot = 4;
    CHECK(kinds(p, s) == Kinds{"travel"});
  }
  SECTION("more meetings than tables") {
    Problem one_table = sample_with(R"("tables": 2})", R"("tables": 1})");
    Solution s = baseline();
    of(s, "m1").slot = 2;
    CHECK(kinds(one_table, s).contains("tables_exceeded"));
  }
  SECTION("more meetings in a day than the participant's own maximum") {
    Problem limited =
        sample_with(R"("capacity": 2})", R"("capacity": 2, "max_meetings_per_day": 1})");
    CHECK(kinds(limited, baseline()) == Kinds{"daily_maximum"});
  }
  SECTION("more meetings in a day than the problem's maximum") {
    // Every participant holds two meetings on the one day of the baseline.
    Problem at_two = sample_with(R"("fairness_bound": 2,)",
                                 R"("fairness_bound": 2, "max_meetings_per_day": 2,)");
    CHECK(kinds(at_two, baseline()).empty());
    Problem at_one = sample_with(R"("fairness_bound": 2,)",
                                 R"("fairness_bound": 2, "max_meetings_per_day": 1,)");
    auto report = check(at_one, baseline());
    CHECK(kinds(at_one, baseline()) == Kinds{"daily_maximum"});
    CHECK(report.violations.size() == 4);
  }
  SECTION("more meetings than interpreters") {
    Problem none = sample_with(R"("count": 1)", R"("count": 0)");
    CHECK(kinds(none, baseline()) == Kinds{"interpreters_exceeded"});
  }
  SECTION("a meeting at the wrong venue") {
    Solution s = baseline();
    of(s, "m1").venue = "kins";
    CHECK(kinds(p, s) == Kinds{"wrong_venue"});
  }
  SECTION("a table the venue does not have") {
    Solution s = baseline();
    of(s, "m1").table = 2;
    CHECK(kinds(p, s) == Kinds{"table_out_of_range"});
  }
  SECTION("two meetings at one table") {
    Solution s = baseline();
    of(s, "m1").slot = 2;
    CHECK(kinds(p, s) == Kinds{"table_double_booked"});
  }
  SECTION("a meeting silently dropped") {
    Solution s = baseline();
    s.assignments.pop_back();
    CHECK(kinds(p, s) == Kinds{"silently_dropped"});
  }
  SECTION("a meeting assigned twice") {
    Solution s = baseline();
    s.assignments.push_back({"m1", 1, "gravity", 1});
    CHECK(kinds(p, s) == Kinds{"duplicate_assignment"});
  }
  SECTION("a meeting the problem does not have") {
    Solution s = baseline();
    s.assignments.push_back({"m9", 1, "gravity", 1});
    CHECK(kinds(p, s) == Kinds{"unknown_meeting"});
  }
  SECTION("a slot the event does not have") {
    Solution s = baseline();
    of(s, "m1").slot = 6;
    CHECK(kinds(p, s).contains("slot_out_of_range"));
  }
  SECTION("a meeting both placed and unplaced") {
    Solution s = baseline();
    s.unplaced.push_back({"m1", "test", ""});
    CHECK(kinds(p, s) == Kinds{"placed_and_unplaced"});
  }
}

TEST_CASE("with fairness first, breaks beyond the bound are a violation") {
  // The baseline has max 1 and min 0 breaks: beyond a bound of 0.
  Problem later = sample_with(R"("fairness_bound": 2,)", R"("fairness_bound": 0,)");
  CheckReport soft = check(later, baseline());
  CHECK(soft.ok());
  CHECK_FALSE(soft.fairness_met);
  CHECK(soft.objective.fairness_excess == 1);
  Problem first =
      sample_with(R"("fairness_bound": 2,)", R"("fairness_bound": 0, "fairness_first": true,)");
  CheckReport hard = check(first, baseline());
  CHECK(kinds(first, baseline()) == Kinds{"fairness"});
  CHECK_FALSE(hard.fairness_met);
  // What meetings with a fixed slot force by themselves is tolerated: with m2 fixed in slot 2
  // beside m4 in slot 4, buyer-us has a break from bookings alone (excess 1 at d = 0).
  Problem booked =
      sample_with(R"("session": "morning",)", R"("session": "morning", "fixed_slot": 2,)");
  booked.fairness_first = true;
  booked.fairness_bound = 0;
  CHECK(check(booked, baseline()).ok());
  CHECK(check(booked, baseline()).objective.fairness_excess == 1);
  // Within the bound, fairness first changes nothing.
  Problem within =
      sample_with(R"("fairness_bound": 2,)", R"("fairness_bound": 1, "fairness_first": true,)");
  CHECK(check(within, baseline()).ok());
}
