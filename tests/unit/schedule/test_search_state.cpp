// The solver's incremental bookkeeping (matching/schedule/search_state.hpp): after any run of
// place, remove and undo, the breaks, venue changes and their totals equal a recount from the
// loads, and fits()/blocked_by()/static_ok() give what a plain check of every constraint gives,
// both with slot masks (at most 64 slots) and without.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <random>
#include <vector>

#include "matching/schedule/search_state.hpp"
#include "matching/schedule/synthetic.hpp"

using namespace sangdam::schedule;
using search::Block;
using search::Model;
using search::State;

namespace {

int recount_breaks(const State& st, int p) {
  const Model& md = st.model();
  int breaks = 0;
  int last = -1;
  for (int s = 0; s < md.slots; ++s) {
    if (md.day_first[s] == s) last = -1;
    if (st.load(p, s) == 0) continue;
    if (last >= 0 && s > last + 1) ++breaks;
    last = s;
  }
  return breaks;
}

int recount_changes(const State& st, int p) {
  const Model& md = st.model();
  if (!md.buyer[p]) return 0;
  int changes = 0;
  int last_venue = -1;
  for (int s = 0; s < md.slots; ++s) {
    if (md.day_first[s] == s) last_venue = -1;
    if (st.load(p, s) == 0) continue;
    if (last_venue >= 0 && st.venue_at(p, s) != last_venue) ++changes;
    last_venue = st.venue_at(p, s);
  }
  return changes;
}

// Every constraint in blocked_by()'s order, without masks or shortcuts.
Block plain_block(const State& st, int m, int s) {
  const Model& md = st.model();
  Block block = md.static_block(m, s);
  if (block != Block::kNone) return block;
  int v = md.venue[m];
  for (int p : {md.first[m], md.second[m]}) {
    if (st.load(p, s) >= md.capacity[p]) return Block::kParticipantBusy;
  }
  for (int p : {md.first[m], md.second[m]}) {
    if (st.day_load(p, md.day_of[s]) >= md.daily_max[p]) return Block::kDailyMaximum;
  }
  if (st.table_use(v, s) >= md.tables[v * md.slots + s]) return Block::kTablesFull;
  int l = md.language[m];
  if (l >= 0 && st.interpreter_use(l, s) >= md.interpreters[l * md.slots + s]) {
    return Block::kInterpretersFull;
  }
  for (int e : md.earlier[m]) {
    if (st.slot(e) >= s) return Block::kPrecedence;
  }
  for (int e : md.later[m]) {
    if (st.slot(e) >= 0 && st.slot(e) <= s) return Block::kPrecedence;
  }
  for (int p : {md.first[m], md.second[m]}) {
    for (int t = md.day_first[s]; t <= md.day_last[s]; ++t) {
      if (st.load(p, t) == 0 || st.venue_at(p, t) == v) continue;
      if (std::abs(t - s) - 1 < md.travel[v * md.venues + st.venue_at(p, t)]) {
        return Block::kTravel;
      }
    }
  }
  return Block::kNone;
}

void check_counts(const State& st) {
  const Model& md = st.model();
  long long breaks = 0;
  long long changes = 0;
  std::vector<int> histogram(md.slots + 1, 0);
  for (int p = 0; p < md.participants; ++p) {
    REQUIRE(st.breaks(p) == recount_breaks(st, p));
    REQUIRE(st.changes(p) == recount_changes(st, p));
    breaks += st.breaks(p);
    changes += st.changes(p);
    ++histogram[st.breaks(p)];
  }
  REQUIRE(st.total_breaks() == breaks);
  REQUIRE(st.total_changes() == changes);
  for (int b = 0; b <= md.slots; ++b) REQUIRE(st.with_breaks(b) == histogram[b]);
}

void exercise(const SyntheticShape& shape, int steps) {
  Problem problem = synthetic_problem(shape);
  Model model(problem, problem.fairness_bound);
  REQUIRE(model.slot_masks == (model.slots <= 64));
  for (int m = 0; m < model.meetings; ++m) {
    for (int s = 0; s < model.slots; ++s) {
      REQUIRE(model.static_ok(m, s) == (model.static_block(m, s) == Block::kNone));
    }
  }
  State st(model);
  std::mt19937_64 rng(shape.seed);
  auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
  std::vector<std::size_t> marks;
  int blocked_checks = 0;
  for (int step = 0; step < steps; ++step) {
    int kind = pick(100);
    if (kind < 60) {
      int m = pick(model.meetings);
      if (st.slot(m) >= 0) continue;
      int s = pick(model.slots);
      Block block = st.blocked_by(m, s);
      REQUIRE(block == plain_block(st, m, s));
      ++blocked_checks;
      if (block == Block::kNone) st.place(m, s);
    } else if (kind < 85) {
      int m = pick(model.meetings);
      if (st.slot(m) >= 0) st.remove(m);
    } else if (kind < 93) {
      marks.push_back(st.mark());
    } else if (!marks.empty()) {
      std::size_t mark = marks.back();
      marks.pop_back();
      if (mark <= st.mark()) st.undo_to(mark);
    } else {
      st.forget_journal();
      marks.clear();
    }
    if (step % 97 == 0) check_counts(st);
  }
  check_counts(st);
  REQUIRE(st.placed() > 0);
  REQUIRE(blocked_checks > 0);
  // Everything undone leaves the empty schedule.
  st.undo_to(0);
  check_counts(st);
}

SyntheticShape busy_shape(std::uint64_t seed) {
  SyntheticShape shape;
  shape.seed = seed;
  shape.days = 2;
  shape.mornings = 4;
  shape.afternoons = 4;
  shape.buyers = 12;
  shape.companies = 10;
  shape.meetings = 90;
  shape.venues = 3;
  shape.tables_per_venue = 4;
  shape.travel_minutes = 20;
  shape.languages = 2;
  shape.interpreters_per_language = 2;
  shape.unavailable_share = 0.05;
  shape.session_share = 0.1;
  shape.fixed_share = 0.05;
  shape.precedence_share = 0.1;
  shape.multi_seat_share = 0.3;
  shape.max_meetings_per_day = 5;
  shape.own_daily_share = 0.2;
  return shape;
}

}  // namespace

TEST_CASE("search state: incremental counts and blocks match a recount (slot masks)",
          "[schedule][search_state]") {
  for (std::uint64_t seed : {11u, 12u, 13u}) {
    exercise(busy_shape(seed), 6000);
  }
}

TEST_CASE("search state: incremental counts and blocks match a recount (64 slots)",
          "[schedule][search_state]") {
  SyntheticShape shape = busy_shape(21);
  shape.days = 4;
  shape.mornings = 8;
  shape.afternoons = 8;  // slot 63 is the last of a day
  shape.meetings = 110;
  exercise(shape, 6000);
}

TEST_CASE("search state: incremental counts and blocks match a recount (no slot masks)",
          "[schedule][search_state]") {
  SyntheticShape shape = busy_shape(31);
  shape.days = 5;
  shape.mornings = 7;
  shape.afternoons = 7;  // 70 slots
  shape.meetings = 110;
  exercise(shape, 6000);
}
