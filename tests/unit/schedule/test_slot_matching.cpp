// The per-slot matching of the construction (matching/schedule/slot_matching.hpp): what it
// chooses fits the slot together, and with one seat per participant and no scarce tables or
// interpreters it covers as many participants as any set of meetings can (the greedy of the
// matching matroid; checked against every subset). With two-seat companies it is a heuristic:
// it was seen to cover one participant fewer than possible on some small instances.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <vector>

#include "matching/schedule/search_state.hpp"
#include "matching/schedule/slot_matching.hpp"
#include "matching/schedule/synthetic.hpp"

using namespace sangdam::schedule;
using search::Model;
using search::SlotMatching;
using search::State;

namespace {

struct Chosen {
  std::vector<int> candidates;
  std::vector<int> meetings;
};

Chosen choose_slot(const Model& model, int slot, std::mt19937_64& rng) {
  const State empty(model);
  Chosen out;
  for (int m = 0; m < model.meetings; ++m) {
    if (empty.fits(m, slot)) out.candidates.push_back(m);
  }
  std::uniform_real_distribution<double> unit(0, 1);
  std::vector<double> priority(model.participants);
  for (auto& p : priority) p = unit(rng);
  std::vector<double> preference(model.meetings);
  for (auto& p : preference) p = unit(rng);
  SlotMatching matching(model);
  out.meetings = matching.choose(slot, out.candidates, priority, preference, empty);
  return out;
}

// Participants a set of meetings covers, or -1 when the set does not fit one slot (a
// participant beyond its capacity; tables and interpreters are ample where this is used).
int covered(const Model& model, const std::vector<int>& meetings) {
  std::vector<int> load(model.participants, 0);
  for (int m : meetings) {
    if (++load[model.first[m]] > model.capacity[model.first[m]]) return -1;
    if (++load[model.second[m]] > model.capacity[model.second[m]]) return -1;
  }
  return static_cast<int>(std::count_if(load.begin(), load.end(), [](int n) { return n > 0; }));
}

}  // namespace

TEST_CASE("slot matching: the chosen meetings fit the slot together") {
  std::mt19937_64 rng(3);
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    SyntheticShape shape;
    shape.seed = seed;
    shape.buyers = 3 + static_cast<int>(seed % 6);
    shape.companies = 3 + static_cast<int>(seed % 5);
    shape.meetings = 6 + static_cast<int>(seed % 20);
    shape.venues = 1 + static_cast<int>(seed % 2);
    shape.tables_per_venue = 1 + static_cast<int>(seed % 3);
    shape.languages = static_cast<int>(seed % 2);
    shape.interpreters_per_language = 1;
    shape.multi_seat_share = 0.3;
    shape.unavailable_share = 0.1;
    const Problem problem = synthetic_problem(shape);
    const Model model(problem, 2);
    for (int slot = 0; slot < model.slots; ++slot) {
      const Chosen chosen = choose_slot(model, slot, rng);
      State state(model);
      for (int m : chosen.meetings) {
        REQUIRE(std::find(chosen.candidates.begin(), chosen.candidates.end(), m) !=
                chosen.candidates.end());
        // Every hard constraint of the slot, checked by the search state itself.
        REQUIRE(state.fits(m, slot));
        state.place(m, slot);
      }
    }
  }
}

TEST_CASE("slot matching: one seat each and ample tables: as many participants as possible") {
  std::mt19937_64 rng(11);
  for (std::uint64_t seed = 1; seed <= 150; ++seed) {
    SyntheticShape shape;
    shape.seed = 500 + seed;
    shape.buyers = 3 + static_cast<int>(seed % 4);
    shape.companies = 3 + static_cast<int>(seed % 4);
    shape.meetings = 4 + static_cast<int>(seed % 9);  // at most 12: every subset is tried
    shape.tables_per_venue = 50;
    const Problem problem = synthetic_problem(shape);
    const Model model(problem, 2);
    const Chosen chosen = choose_slot(model, 0, rng);
    const int n = static_cast<int>(chosen.candidates.size());
    int best = 0;
    for (int subset = 0; subset < (1 << n); ++subset) {
      std::vector<int> meetings;
      for (int i = 0; i < n; ++i) {
        if (subset & (1 << i)) meetings.push_back(chosen.candidates[i]);
      }
      best = std::max(best, covered(model, meetings));
    }
    CHECK(covered(model, chosen.meetings) == best);
  }
}
