// A schedule: where each meeting takes place, which meetings could not be placed and why, the
// objective it reaches, the bounds that say how far from optimal it can be, and (after a
// repair) the moves against the published schedule. The file format is in docs/scheduling.md.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sangdam::schedule {

struct Assignment {
  std::string meeting;
  int slot = 0;
  std::string venue;
  int table = 0;  // 0-based table of the venue in that slot
};

struct Unplaced {
  std::string meeting;
  std::string reason;  // snake_case: no_feasible_slot, capacity_exhausted, ...
  std::string detail;  // for people: what blocks it
};

// A change against a published schedule; slot -1 means "not scheduled".
struct Move {
  std::string meeting;
  int from_slot = -1;
  int to_slot = -1;
};

// The objective, in the order: placed weight first, then breaks under the fairness
// bound, then buyers' venue changes.
struct Objective {
  int placed = 0;
  double placed_weight = 0;
  int breaks = 0;           // sum over participants
  int max_breaks = 0;       // over all participants
  int min_breaks = 0;       // over all participants
  int fairness_excess = 0;  // max(0, max_breaks - min_breaks - d)
  int venue_changes = 0;    // buyers only, within a day
};

struct Solution {
  std::vector<Assignment> assignments;
  std::vector<Unplaced> unplaced;
  Objective objective;
  double weight_upper_bound = 0;  // no schedule places more weight
  int breaks_lower_bound = 0;     // no schedule has fewer breaks
  double weight_gap = 0;          // (upper bound - placed weight) / upper bound
  int breaks_gap = 0;             // breaks - breaks lower bound
  bool proven_optimal = false;    // an exact search covered the whole problem
  std::vector<Move> moves;        // filled by repair()
  std::string stopped_by;         // "converged", "time_limit" or "iteration_limit"
  double seconds = 0;
  long long iterations = 0;
};

// Reads a solution file. Throws sangdam::Error with the field path on malformed input; it does
// not need the problem (the checker matches ids against it).
Solution parse_solution(std::string_view json);
std::string to_json(const Solution& solution);

}  // namespace sangdam::schedule
