// The optimising scheduler. Objective, in order: placed weight (every meeting when feasible),
// then breaks under the fairness bound d (first the excess over d, then the total), then
// buyers' venue changes. See docs/scheduling.md for the model and the search.
#pragma once

#include <cstdint>

#include "matching/schedule/problem.hpp"
#include "matching/schedule/solution.hpp"

namespace sangdam::schedule {

struct SolveOptions {
  double time_limit_seconds = 10.0;  // wall time; the best schedule so far is returned
  std::uint64_t seed = 1;            // same seed + iteration_limit => same schedule
  int fairness_bound = -1;           // d; < 0 uses problem.fairness_bound
  // Local-search moves to try; 0 means no limit. Tests set it so that a run does not depend
  // on the machine's speed.
  long long iteration_limit = 0;
  // Moves without improvement after which the search counts as converged; 0 picks
  // max(2000, 40 * meetings).
  long long stall_iterations = 0;
  // Search nodes for the exact search over the whole problem (tried when it is small); when
  // it completes, the schedule is proven optimal.
  long long exact_node_limit = 300'000;
  // Searches run side by side, each on a thread of its own with seeds seed, seed + 1, ...;
  // the best schedule wins (the first among equals), so the result is as reproducible as one
  // search's. 1: a single search on the calling thread.
  unsigned threads = 2;
};

// Throws sangdam::Error if the problem is invalid (it runs validate()).
Solution solve(const Problem& problem, const SolveOptions& options = {});

// Re-solves after changes (cancellations, new meetings, newly unavailable participants):
// every meeting of `published` that still exists and still fits keeps its slot (and table);
// the others are placed around them. Solution::moves lists every meeting whose slot changed,
// with -1 for "not scheduled" (new or dropped).
Solution repair(const Problem& problem, const Solution& published,
                const SolveOptions& options = {});

}  // namespace sangdam::schedule
