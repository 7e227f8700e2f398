// The checker: validates every hard constraint of a schedule against its problem and computes
// the objective. It is written independently of the solver (no shared bookkeeping), so that
// it can catch the solver's mistakes.
#pragma once

#include <string>
#include <vector>

#include "matching/schedule/problem.hpp"
#include "matching/schedule/solution.hpp"

namespace sangdam::schedule {

struct Violation {
  std::string kind;     // snake_case: participant_double_booked, tables_exceeded, travel, ...
  std::string meeting;  // the meeting at fault (one of them), empty when none
  std::string detail;
};

struct CheckReport {
  std::vector<Violation> violations;  // hard constraints only; empty means feasible
  Objective objective;                // computed from the assignments, not read from the file
  // Fairness ranks below placement in the objective, so exceeding d is reported here (and by
  // objective.fairness_excess) but is not a violation, unless the problem puts fairness first
  // (Problem::fairness_first): then it is one (kind "fairness"), beyond what the meetings with
  // a fixed slot (bookings, never left out) force by themselves.
  bool fairness_met = true;
  // Participants by their number of breaks ([b] = how many have b), buyers and the others
  // apart: shows how many sit above the fairness bound, not only the extremes.
  std::vector<int> buyer_breaks_histogram;
  std::vector<int> other_breaks_histogram;
  bool ok() const { return violations.empty(); }
};

// fairness_bound < 0 uses problem.fairness_bound.
CheckReport check(const Problem& problem, const Solution& solution, int fairness_bound = -1);

}  // namespace sangdam::schedule
