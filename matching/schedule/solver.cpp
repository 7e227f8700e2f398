// The search, in phases over one State, each with its share of the time limit (see
// docs/scheduling.md):
//  1. construction, two ways, the better kept: meetings by weight, each into the slot that
//     hurts the objective least; or slot after slot in time order, a matching per slot that
//     covers participants by urgency (SlotMatching) and keeps days without holes and buyers'
//     venues in blocks, each buyer's day starting at the venue that spreads its companies'
//     visitors over their day;
//  2. insertion of what is left: direct, then Kempe chains (swap two slots along an alternating
//     chain of meetings, the classical repair of bipartite edge colouring), then ejection of
//     lighter meetings that are re-placed elsewhere when they can;
//  3. small problems: exact branch and bound over the whole problem, which proves optimality;
//  4. fairness repair while max - min breaks exceeds d: moves, Kempe chains, swaps and
//     ejections that take breaks from the participants at the top of the distribution;
//  5. local search on breaks, fairness and venue changes: relocations, Kempe chains and exact
//     re-optimisation of one participant's day (branch and bound), never accepting a worse
//     objective; then, while fairness is not met, the fairness repair again.
#include "matching/schedule/solver.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <numeric>
#include <random>
#include <unordered_map>

#include "matching/parallel.hpp"
#include "matching/schedule/search_state.hpp"
#include "matching/schedule/slot_matching.hpp"

namespace sangdam::schedule {

namespace {

using search::better;
using search::Block;
using search::Model;
using search::same;
using search::Score;
using search::State;
using Clock = std::chrono::steady_clock;

// Meetings up to which the whole problem is tried exactly (the node limit still applies).
constexpr int kExactWholeMaxMeetings = 16;
// Exact re-optimisation of one participant's day: at most this many meetings and nodes.
constexpr int kDayNeighbourhoodMeetings = 7;
constexpr long long kDayNeighbourhoodNodes = 1500;
// Longest Kempe chain followed before giving up on it.
constexpr int kKempeChainLimit = 64;
// Slot pairs tried per unplaced meeting with Kempe chains, and slots tried with ejection.
constexpr int kKempePairsPerMeeting = 96;
// Rounds of insertion over the unplaced meetings after construction.
constexpr int kInsertionRounds = 4;
// Of them, the first ones only take insertions that cost no fairness (insert_unplaced).
constexpr int kCarefulRounds = 1;
// Shares of the time limit at which insertion of unplaced meetings and the fairness repair
// end (the local search on breaks has the rest).
constexpr double kInsertionShare = 0.25;
// Construction in time order: priority of a participant already in its day over the others.
constexpr double kInDayBonus = 10.0;
// Day planning of travellers (preferred_days): passes over them, the most venue-to-day deals
// tried per traveller, and the cost of one meeting beyond a participant's room on a day.
constexpr int kBalancePasses = 3;
constexpr long long kMaxDeals = 256;
constexpr double kOverflowCost = 16.0;
// Venue orders of a traveller's day (venue_orders): days with more venues keep theirs.
constexpr std::size_t kMaxOrderedBlocks = 4;
// Meetings of the target slot tried as swap partners when a fairness move is blocked.
constexpr std::size_t kSwapRivals = 8;
constexpr int kSwapProbes = 64;  // random looks into the target slot to find them
// Passes over the participants above the bound without improvement that end the fairness repair.
constexpr int kFairnessStalePasses = 30;
constexpr double kFairnessShare = 0.6;
// With fairness first: the repair by moves (placement first) ends here, then meetings beyond the
// bound are left out and the careful insertion runs until the next share.
constexpr double kFairFirstRepairShare = 0.75;
constexpr double kFairFirstInsertionShare = 0.85;
constexpr double kImproveShare = 0.8;
// How often (in moves) the local search retries the unplaced meetings.
constexpr long long kReinsertEvery = 2000;
// Participants sampled when looking for one with breaks.
constexpr int kSampleTries = 64;

// The fairness excess of the meetings with a fixed slot (bookings) alone, where they are: with
// fairness first they are never left out, so the bound is held to what they force.
template <class SlotOf>
int forced_excess(const Model& model, SlotOf&& slot_of) {
  State fixed_only(model);
  for (int m = 0; m < model.meetings; ++m) {
    if (model.fixed[m] >= 0 && slot_of(m) >= 0) fixed_only.place(m, slot_of(m));
  }
  return fixed_only.score().excess;
}

class Search {
 public:
  Search(const Model& model, const SolveOptions& options, std::vector<char> locked)
      : model_(model),
        options_(options),
        state_(model),
        locked_(std::move(locked)),
        undecided_(model.participants, 0),
        waiting_(model.participants + model.venues + model.languages),
        rng_(options.seed),
        started_(Clock::now()) {
    deadline_ = started_ + std::chrono::duration_cast<Clock::duration>(
                               std::chrono::duration<double>(options.time_limit_seconds));
    stall_limit_ = options.stall_iterations > 0 ? options.stall_iterations
                                                : std::max<long long>(2000, 40LL * model.meetings);
  }

  State& state() { return state_; }
  std::vector<char>& locked() { return locked_; }
  bool proven_optimal() const { return proven_optimal_; }
  const std::string& stopped_by() const { return stopped_by_; }
  long long iterations() const { return iterations_; }
  double seconds() const { return std::chrono::duration<double>(Clock::now() - started_).count(); }

  void run(bool try_whole_exact) {
    construct_best();
    start_phase(kInsertionShare);
    insert_unplaced(kInsertionRounds + kCarefulRounds, kCarefulRounds);
    state_.forget_journal();
    if (try_whole_exact && model_.meetings <= kExactWholeMaxMeetings) {
      std::vector<int> all(model_.meetings);
      std::iota(all.begin(), all.end(), 0);
      std::vector<int> slots(model_.slots);
      std::iota(slots.begin(), slots.end(), 0);
      if (exact(all, slots, options_.exact_node_limit)) {
        proven_optimal_ = true;
        stopped_by_ = "converged";
        return;
      }
    }
    if (model_.fairness_first) {
      // The fairness repair as with placement first (moves that keep every meeting), then
      // whatever is still beyond the bound is left out, the careful insertion takes back what
      // fits within it, and the local search (fairness-first ranking) has the rest.
      start_phase(kFairFirstRepairShare);
      weight_first_ = true;
      repair_fairness();
      weight_first_ = false;
      place_fixed_then_leave_out();
      start_phase(kFairFirstInsertionShare);
      insert_unplaced(kInsertionRounds, kInsertionRounds);
      start_phase(1.0);
      improve();
      place_what_fits_fairly();
      return;
    }
    start_phase(kFairnessShare);
    repair_fairness();
    // The local search re-inserts meetings (placement first), which may cost fairness again:
    // while fairness is not met, a second repair has the end of the time limit.
    bool unfair = state_.score().excess > 0;
    start_phase(unfair ? kImproveShare : 1.0);
    improve();
    if (unfair) {
      start_phase(1.0);
      repair_fairness();
    }
  }

  // With fairness first, the meetings left out must not fit any slot within the bound (that is
  // what their reason says): a last pass, past the time limit (direct placements only, a few
  // milliseconds), places those that do, until none is left.
  void place_what_fits_fairly() {
    place_fixed_then_leave_out();
    for (bool placed_one = true; placed_one;) {
      placed_one = false;
      over_cap_ = state_.breaks_over_bound();
      for (int m = 0; m < model_.meetings; ++m) {
        if (state_.slot(m) >= 0 || locked_[m]) continue;
        for (int s = 0; s < model_.slots && state_.slot(m) < 0; ++s) {
          if (!state_.fits(m, s)) continue;
          auto mark = state_.mark();
          state_.place(m, s);
          if (careful_enough()) {
            placed_one = true;
          } else {
            state_.undo_to(mark);
          }
        }
      }
      state_.forget_journal();
    }
    over_cap_ = -1;
  }

 private:
  bool out_of_time() {
    if (Clock::now() >= deadline_) {
      stopped_by_ = "time_limit";
      return true;
    }
    return false;
  }

  // Each phase ends at its share of the time limit, so that a slow one cannot starve the next.
  void start_phase(double share) {
    phase_end_ = started_ + std::chrono::duration_cast<Clock::duration>(
                                std::chrono::duration<double>(options_.time_limit_seconds * share));
  }
  bool phase_over() { return out_of_time() || Clock::now() >= phase_end_; }

  // Static candidate slots per meeting, counted once: fewer candidates go first.
  std::vector<int> candidate_counts() const {
    std::vector<int> counts(model_.meetings, 0);
    for (int m = 0; m < model_.meetings; ++m) {
      for (int s = 0; s < model_.slots; ++s) counts[m] += model_.static_ok(m, s);
    }
    return counts;
  }

  // The feasible slot where m does the objective least harm, or -1. Ties go to a random one
  // of the best so that restarts from other seeds explore other schedules.
  int best_slot(int m) {
    int best = -1;
    Score best_score;
    int ties = 0;
    for (int s = 0; s < model_.slots; ++s) {
      if (!state_.fits(m, s)) continue;
      auto mark = state_.mark();
      state_.place(m, s);
      Score score = state_.score();
      state_.undo_to(mark);
      if (best < 0 || better(score, best_score)) {
        best = s;
        best_score = score;
        ties = 1;
      } else if (same(score, best_score) &&
                 std::uniform_int_distribution<int>(0, ties++)(rng_) == 0) {
        best = s;
      }
    }
    return best;
  }

  void construct() {
    auto counts = candidate_counts();
    std::vector<int> order;
    for (int m = 0; m < model_.meetings; ++m) {
      if (state_.slot(m) < 0) order.push_back(m);
    }
    std::vector<std::uint64_t> tie(model_.meetings);
    for (auto& t : tie) t = rng_();
    std::sort(order.begin(), order.end(), [&](int x, int y) {
      bool fx = model_.fixed[x] >= 0;
      bool fy = model_.fixed[y] >= 0;
      if (fx != fy) return fx;
      if (model_.weight[x] != model_.weight[y]) return model_.weight[x] > model_.weight[y];
      if (counts[x] != counts[y]) return counts[x] < counts[y];
      return tie[x] < tie[y];
    });
    for (int m : order) {
      int s = best_slot(m);
      if (s < 0) continue;
      state_.place(m, s);
      if (model_.fixed[m] >= 0) locked_[m] = 1;
    }
    state_.forget_journal();
  }

  // Construction in time order, one slot after another: each slot takes a greedy matching of
  // the unplaced meetings, preferring participants already in their day (a miss now is a
  // break later), then participants whose remaining meetings need most of their remaining
  // slots, then weight. Breaks stay few because days are filled without holes. A first sweep
  // keeps each meeting to the day chosen for its venue (preferred_days) and leaves out the
  // lightest meetings of participants with more meetings than room (they are lost anyway when
  // the others fit); a second sweep takes what is left anywhere.
  void construct_by_slot() {
    for (int m = 0; m < model_.meetings; ++m) {
      int f = model_.fixed[m];
      if (f >= 0 && state_.slot(m) < 0 && state_.fits(m, f)) {
        state_.place(m, f);
        locked_[m] = 1;
      }
    }
    std::vector<int> unplaced;
    for (int m = 0; m < model_.meetings; ++m) {
      if (state_.slot(m) < 0 && model_.fixed[m] < 0) unplaced.push_back(m);
    }
    std::vector<int> day_of_meeting = preferred_days(unplaced);
    std::vector<char> surplus = lightest_surplus(unplaced);
    std::vector<int> first_sweep;
    for (int m : unplaced) {
      if (!surplus[m]) first_sweep.push_back(m);
    }
    sweep_slots(first_sweep, day_of_meeting, venue_orders(first_sweep, day_of_meeting));
    std::erase_if(unplaced, [&](int m) { return state_.slot(m) >= 0; });
    sweep_slots(unplaced, std::vector<int>(model_.meetings, -1), {});
  }

  // Per meeting: among the lightest beyond the room of one of its participants (capacity x
  // available slots).
  std::vector<char> lightest_surplus(const std::vector<int>& meetings) const {
    std::vector<char> out(model_.meetings, 0);
    std::vector<std::vector<int>> of(model_.participants);
    for (int m : meetings) {
      of[model_.first[m]].push_back(m);
      of[model_.second[m]].push_back(m);
    }
    for (int q = 0; q < model_.participants; ++q) {
      int room = 0;
      for (int t = 0; t < model_.slots; ++t) room += has_room(q, t) ? model_.capacity[q] : 0;
      auto& mine = of[q];
      if (static_cast<int>(mine.size()) <= room) continue;
      std::sort(mine.begin(), mine.end(),
                [&](int x, int y) { return model_.weight[x] > model_.weight[y]; });
      for (std::size_t k = room; k < mine.size(); ++k) out[mine[k]] = 1;
    }
    return out;
  }

  // One sweep of construct_by_slot over `meetings`; day_of_meeting >= 0 keeps a meeting to
  // that day. Each slot takes a matching of the candidates that covers participants by
  // urgency (SlotMatching). A participant who meets at several venues stays at the venue of
  // its last meeting of the day while it has meetings left there: a change of venue costs a
  // travel slot, so a day with its venues in blocks has the fewest breaks. With `blocks`
  // (per participant and day, its venues in the planned order), it starts its day at the
  // first of them and goes on to the next one with meetings left when a block is done;
  // without, it goes wherever the matching takes it.
  void sweep_slots(std::vector<int> unplaced, const std::vector<int>& day_of_meeting,
                   const std::vector<std::vector<int>>& blocks) {
    std::vector<int> remaining(model_.participants, 0);
    for (int m : unplaced) {
      ++remaining[model_.first[m]];
      ++remaining[model_.second[m]];
    }
    std::vector<int> slots_left(model_.participants, 0);  // available slots from s on
    for (int q = 0; q < model_.participants; ++q) {
      for (int t = 0; t < model_.slots; ++t) slots_left[q] += has_room(q, t);
    }
    std::int64_t heaviest = 1;
    for (int m : unplaced) heaviest = std::max(heaviest, model_.weight[m]);
    const int venues = model_.venues;
    std::vector<int> last_venue(model_.participants, -1);  // of q's last meeting today
    std::vector<int> left_at(static_cast<std::size_t>(model_.participants) * venues, 0);
    std::vector<double> priority(model_.participants, 0);
    std::vector<double> preference(model_.meetings, 0);
    std::vector<int> candidates;
    search::SlotMatching matching(model_);
    for (int s = 0; s < model_.slots; ++s) {
      int day = model_.day_of[s];
      auto today = [&](int m) { return day_of_meeting[m] < 0 || day_of_meeting[m] == day; };
      if (model_.day_first[s] == s) {
        std::fill(last_venue.begin(), last_venue.end(), -1);
        std::fill(left_at.begin(), left_at.end(), 0);
        for (int m : unplaced) {
          if (!today(m)) continue;
          for (int q : {model_.first[m], model_.second[m]}) ++left_at[q * venues + model_.venue[m]];
        }
      }
      bool continues = model_.day_first[s] != s;
      for (int q = 0; q < model_.participants; ++q) {
        double need = static_cast<double>(remaining[q]) / std::max(1, slots_left[q]);
        bool in_day = continues && state_.load(q, s - 1) > 0 && remaining[q] > 0;
        priority[q] = need + (in_day ? kInDayBonus : 0.0);
      }
      // The venue q must meet at now: the one it is at while meetings are left there, else
      // the next of its planned blocks of the day with meetings left.
      auto planned = [&](int q) {
        int v = last_venue[q];
        if (v >= 0 && left_at[q * venues + v] > 0) return v;
        if (blocks.empty()) return -1;
        for (int u : blocks[q * model_.days + day]) {
          if (left_at[q * venues + u] > 0) return u;
        }
        return -1;
      };
      auto elsewhere = [&](int q, int m) {
        int v = planned(q);
        return v >= 0 && v != model_.venue[m];
      };
      candidates.clear();
      for (int m : unplaced) {
        if (!today(m) || state_.slot(m) >= 0 || !model_.static_ok(m, s)) continue;
        if (elsewhere(model_.first[m], m) || elsewhere(model_.second[m], m)) continue;
        if (!state_.fits(m, s)) continue;
        candidates.push_back(m);
        preference[m] = priority[model_.first[m]] + priority[model_.second[m]] +
                        static_cast<double>(model_.weight[m]) / heaviest;
      }
      for (int m : matching.choose(s, candidates, priority, preference, state_)) {
        if (!state_.fits(m, s)) continue;
        state_.place(m, s);
        for (int q : {model_.first[m], model_.second[m]}) {
          --remaining[q];
          --left_at[q * venues + model_.venue[m]];
          last_venue[q] = model_.venue[m];
        }
      }
      for (int q = 0; q < model_.participants; ++q) {
        slots_left[q] -= !model_.unavailable[static_cast<std::size_t>(q) * model_.slots + s];
      }
      std::erase_if(unplaced, [&](int m) { return state_.slot(m) >= 0; });
      state_.forget_journal();
    }
  }

  // Per participant and day (q * days + day): a traveller's venues of the day in the order
  // of its blocks (empty for others; no entries at all with one venue). A traveller's meetings at
  // the venue of its k-th block of the day can only take the slots of that block, so a company
  // whose visitors all come in the same part of the day keeps some of them waiting, and each wait
  // is a hole in a buyer's block. Each traveller's order of its venues of the day is chosen, in a
  // few passes, to spread its partners' demand: the block at venue v of a buyer with n meetings and
  // `slack` free slots that day covers the slots [at, at + count(v) + slack) of its day, each of
  // its meetings adds 1 / (count(v) + slack) of demand to each of those slots of its partner, and
  // the order with the least sum of squared demand over the partners' slots is kept.
  std::vector<std::vector<int>> venue_orders(const std::vector<int>& meetings,
                                             const std::vector<int>& day_of_meeting) const {
    const int days = model_.days;
    if (model_.venues < 2) return {};
    std::vector<int> length(days, 0);
    for (int t = 0; t < model_.slots; ++t) ++length[model_.day_of[t]];
    const int longest = *std::max_element(length.begin(), length.end());
    std::vector<char> traveller = travellers_of(meetings);
    const std::size_t days_of_all = static_cast<std::size_t>(model_.participants) * days;
    std::vector<std::vector<int>> of(days_of_all);  // a traveller's meetings of a day
    for (int m : meetings) {
      if (day_of_meeting[m] < 0) continue;
      for (int q : {model_.first[m], model_.second[m]}) {
        if (traveller[q]) of[q * days + day_of_meeting[m]].push_back(m);
      }
    }
    std::vector<std::vector<int>> order(days_of_all);  // venues by block
    std::vector<double> demand(static_cast<std::size_t>(model_.participants) * longest);
    std::vector<int> count(model_.venues, 0);
    // Adds (sign 1) or takes away (-1) q's demand on day d; returns the change of the cost.
    auto apply = [&](int q, int d, double sign) {
      const auto& mine = of[q * days + d];
      const auto& blocks = order[q * days + d];
      for (int v : blocks) count[v] = 0;
      for (int m : mine) ++count[model_.venue[m]];
      int held = static_cast<int>(mine.size() + blocks.size()) - 1;  // with travel slots
      int slack = std::max(0, length[d] - held);
      int at = 0;
      double change = 0;
      for (int v : blocks) {
        int end = std::min(length[d], at + count[v] + slack);
        double share = 1.0 / std::max(1, end - at);
        for (int m : mine) {
          if (model_.venue[m] != v) continue;
          int p = model_.first[m] == q ? model_.second[m] : model_.first[m];
          for (int k = at; k < end; ++k) {
            double& x = demand[static_cast<std::size_t>(p) * longest + k];
            change -= x * x;
            x += sign * share;
            change += x * x;
          }
        }
        at += count[v] + 1;
      }
      return change;
    };
    std::vector<int> here, best;
    for (int d = 0; d < days; ++d) {
      std::fill(demand.begin(), demand.end(), 0.0);
      here.clear();
      for (int q = 0; q < model_.participants; ++q) {
        auto& blocks = order[q * days + d];
        for (int m : of[q * days + d]) {
          int v = model_.venue[m];
          if (std::find(blocks.begin(), blocks.end(), v) == blocks.end()) blocks.push_back(v);
        }
        if (blocks.size() < 2) continue;
        here.push_back(q);
        apply(q, d, 1);
      }
      for (int pass = 0; pass < kBalancePasses; ++pass) {
        for (int q : here) {
          auto& blocks = order[q * days + d];
          if (blocks.size() > kMaxOrderedBlocks) continue;
          apply(q, d, -1);
          std::sort(blocks.begin(), blocks.end());
          double best_cost = 0;
          best.clear();
          do {
            double cost = apply(q, d, 1);
            apply(q, d, -1);
            if (best.empty() || cost < best_cost) {
              best = blocks;
              best_cost = cost;
            }
          } while (std::next_permutation(blocks.begin(), blocks.end()));
          blocks = best;
          apply(q, d, 1);
        }
      }
    }
    return order;
  }

  // Per participant: whether `meetings` take it to several venues.
  std::vector<char> travellers_of(const std::vector<int>& meetings) const {
    std::vector<int> venue(model_.participants, -1);
    std::vector<char> out(model_.participants, 0);
    for (int m : meetings) {
      for (int q : {model_.first[m], model_.second[m]}) {
        if (venue[q] >= 0 && venue[q] != model_.venue[m]) out[q] = 1;
        venue[q] = model_.venue[m];
      }
    }
    return out;
  }

  // A day for each meeting of a participant who meets at several venues (a buyer visiting
  // companies), so that each day holds few venues: every change of venue within a day costs a
  // break when travel takes a slot. Venues go, the busiest first, to the day with the most
  // room left; then each such participant's venues are dealt to days again, every way tried,
  // so that neither it nor its partners (whose days it fills) get more meetings on a day than
  // they have room for, and partners' days stay even. -1: no preference.
  std::vector<int> preferred_days(const std::vector<int>& meetings) const {
    std::vector<int> out(model_.meetings, -1);
    const int days = model_.days;
    if (model_.venues < 2 || days < 2) return out;
    std::vector<std::vector<int>> of(model_.participants);
    for (int m : meetings) {
      of[model_.first[m]].push_back(m);
      of[model_.second[m]].push_back(m);
    }
    std::vector<int> day_slots(days, 0);
    for (int s = 0; s < model_.slots; ++s) ++day_slots[model_.day_of[s]];
    std::vector<int> room(static_cast<std::size_t>(model_.participants) * days, 0);
    for (int q = 0; q < model_.participants; ++q) {
      for (int s = 0; s < model_.slots; ++s) room[q * days + model_.day_of[s]] += has_room(q, s);
      for (int d = 0; d < days; ++d) {
        room[q * days + d] = std::min(room[q * days + d], model_.daily_max[q]);
      }
    }
    std::vector<std::vector<int>> owned(model_.participants);  // meetings whose day q chooses
    std::vector<int> travellers;
    for (int q = 0; q < model_.participants; ++q) {
      std::vector<int> count(model_.venues, 0);
      for (int m : of[q]) ++count[model_.venue[m]];
      int used = 0;
      for (int c : count) used += c > 0;
      if (used < 2) continue;
      travellers.push_back(q);
      std::vector<int> order(model_.venues);
      std::iota(order.begin(), order.end(), 0);
      std::sort(order.begin(), order.end(), [&](int x, int y) { return count[x] > count[y]; });
      std::vector<int> left = day_slots;
      std::vector<int> day_of_venue(model_.venues, -1);
      for (int v : order) {
        if (count[v] == 0) break;
        int best = static_cast<int>(std::max_element(left.begin(), left.end()) - left.begin());
        day_of_venue[v] = best;
        left[best] -= count[v] + 1;  // the slot of travel
      }
      for (int m : of[q]) {
        if (out[m] >= 0) continue;
        out[m] = day_of_venue[model_.venue[m]];
        owned[q].push_back(m);
      }
    }
    balance_days(out, owned, travellers, room);
    return out;
  }

  // The second part of preferred_days: local search over each traveller's venue-to-day deal.
  void balance_days(std::vector<int>& out, const std::vector<std::vector<int>>& owned,
                    const std::vector<int>& travellers, const std::vector<int>& room) const {
    const int days = model_.days;
    std::vector<int> load(room.size(), 0);
    auto count = [&](int m, int delta) {
      for (int q : {model_.first[m], model_.second[m]}) load[q * days + out[m]] += delta;
    };
    for (int q : travellers) {
      for (int m : owned[q]) count(m, 1);
    }
    // Cost of holding `held` meetings in `free_slots`: overflow is a lost meeting or a break;
    // the square keeps days even.
    auto cost = [](int held, int free_slots) {
      double over = std::max(0, held - free_slots);
      double share = static_cast<double>(held) / std::max(1, free_slots);
      return kOverflowCost * over + share * share;
    };
    std::vector<int> venues;
    std::vector<int> index(model_.venues, -1);
    std::vector<int> day_count(days), day_venues(days), deal(model_.venues);
    for (int pass = 0; pass < kBalancePasses; ++pass) {
      for (int q : travellers) {
        venues.clear();
        for (int m : owned[q]) {
          int v = model_.venue[m];
          if (index[v] < 0) {
            index[v] = static_cast<int>(venues.size());
            venues.push_back(v);
          }
        }
        long long deals = 1;
        for (std::size_t k = 0; k < venues.size() && deals <= kMaxDeals; ++k) deals *= days;
        if (deals <= kMaxDeals) {
          for (int m : owned[q]) count(m, -1);
          double best_cost = 0;
          long long best = -1;
          for (long long code = 0; code < deals; ++code) {
            long long rest = code;
            for (std::size_t k = 0; k < venues.size(); ++k) {
              deal[k] = static_cast<int>(rest % days);
              rest /= days;
            }
            std::fill(day_count.begin(), day_count.end(), 0);
            std::fill(day_venues.begin(), day_venues.end(), 0);
            for (std::size_t k = 0; k < venues.size(); ++k) ++day_venues[deal[k]];
            double total = 0;
            for (int m : owned[q]) {
              int d = deal[index[model_.venue[m]]];
              ++day_count[d];
              int p = model_.first[m] == q ? model_.second[m] : model_.first[m];
              int held = load[p * days + d];
              total += cost(held + 1, room[p * days + d]) - cost(held, room[p * days + d]);
            }
            for (int d = 0; d < days; ++d) {
              int travel = std::max(0, day_venues[d] - 1);
              total += cost(load[q * days + d] + day_count[d] + travel, room[q * days + d]);
            }
            if (best < 0 || total < best_cost) {
              best = code;
              best_cost = total;
            }
          }
          for (std::size_t k = 0; k < venues.size(); ++k) {
            deal[k] = static_cast<int>(best % days);
            best /= days;
          }
          for (int m : owned[q]) {
            out[m] = deal[index[model_.venue[m]]];
            count(m, 1);
          }
        }
        for (int v : venues) index[v] = -1;
      }
    }
  }

  // Both constructions, keeping the better schedule.
  void construct_best() {
    construct();
    Score by_weight = state_.score();
    std::vector<int> kept(model_.meetings);
    for (int m = 0; m < model_.meetings; ++m) kept[m] = state_.slot(m);
    std::vector<char> locked = locked_;
    clear_unlocked_and_fixed();
    construct_by_slot();
    if (better(by_weight, state_.score())) {
      locked_ = std::move(locked);
      restore(kept);
    }
  }

  // Removes every meeting that construction placed (fixed ones included), keeping repair's
  // kept meetings.
  void clear_unlocked_and_fixed() {
    for (int m = 0; m < model_.meetings; ++m) {
      if (state_.slot(m) >= 0 && (!locked_[m] || model_.fixed[m] >= 0)) {
        state_.remove(m);
        locked_[m] = 0;
      }
    }
    state_.forget_journal();
  }

  // A movable meeting of participant p in slot s (the lightest), or -1.
  int movable_meeting(int p, int s, int except) const {
    int found = -1;
    for (int y : model_.meetings_of[p]) {
      if (y == except || locked_[y] || state_.slot(y) != s) continue;
      if (found < 0 || model_.weight[y] < model_.weight[found]) found = y;
    }
    return found;
  }

  // The lightest movable meeting of participant p on day d, or -1.
  int lightest_on_day(int p, int d, int except) const {
    int found = -1;
    for (int y : model_.meetings_of[p]) {
      int t = state_.slot(y);
      if (y == except || locked_[y] || t < 0 || model_.day_of[t] != d) continue;
      if (found < 0 || model_.weight[y] < model_.weight[found]) found = y;
    }
    return found;
  }

  // Moves meeting x from its slot u to slot t; whatever then overflows a participant at t
  // moves to u, and so on along the chain. Leaves the state changed on success; the caller
  // undoes on failure.
  bool kempe_chain(int x, int t) {
    int u = state_.slot(x);
    std::vector<std::pair<int, int>> todo{{x, t}};
    state_.remove(x);
    for (std::size_t i = 0; i < todo.size(); ++i) {
      auto [y, to] = todo[i];
      int from = to == t ? u : t;
      for (int q : {model_.first[y], model_.second[y]}) {
        while (state_.load(q, to) >= model_.capacity[q]) {
          int z = movable_meeting(q, to, y);
          if (z < 0 || todo.size() >= static_cast<std::size_t>(kKempeChainLimit)) return false;
          state_.remove(z);
          todo.push_back({z, from});
        }
      }
      if (!state_.fits(y, to)) return false;
      state_.place(y, to);
    }
    return true;
  }

  bool has_room(int q, int s) const {
    return !model_.unavailable[static_cast<std::size_t>(q) * model_.slots + s] &&
           state_.load(q, s) < model_.capacity[q];
  }

  // Bipartite edge-colouring repair: m goes to a slot alpha where one of its participants is
  // free; the other one's meeting in alpha moves to a slot beta where that one is free, and
  // the alpha/beta chain behind it swaps. Only such pairs can succeed on participants alone,
  // so no other pairs are tried.
  bool try_kempe_insert(int m) {
    std::vector<std::pair<int, int>> pairs;  // (alpha, beta)
    for (int alpha = 0; alpha < model_.slots; ++alpha) {
      if (!model_.static_ok(m, alpha)) continue;
      bool first_free = has_room(model_.first[m], alpha);
      bool second_free = has_room(model_.second[m], alpha);
      if (first_free == second_free) continue;  // both free: blocked by something else
      int busy = first_free ? model_.second[m] : model_.first[m];
      for (int beta = 0; beta < model_.slots; ++beta) {
        if (beta != alpha && has_room(busy, beta)) pairs.push_back({alpha, beta});
      }
    }
    std::shuffle(pairs.begin(), pairs.end(), rng_);
    if (pairs.size() > static_cast<std::size_t>(kKempePairsPerMeeting)) {
      pairs.resize(kKempePairsPerMeeting);
    }
    for (auto [alpha, beta] : pairs) {
      auto mark = state_.mark();
      bool ok = true;
      for (int q : {model_.first[m], model_.second[m]}) {
        // A chain may bring another of q's meetings back into alpha: then this pair fails.
        for (int tries = 0; ok && state_.load(q, alpha) >= model_.capacity[q]; ++tries) {
          int y = movable_meeting(q, alpha, m);
          ok = tries < model_.capacity[q] && y >= 0 && kempe_chain(y, beta);
        }
      }
      if (ok && state_.fits(m, alpha)) {
        state_.place(m, alpha);
        if (careful_enough()) return true;
      }
      state_.undo_to(mark);
    }
    return false;
  }

  // Places m in s by taking out whatever blocks it, then re-places those elsewhere if they
  // fit. Kept only when the objective improves (so only lighter meetings are lost).
  bool try_eject_insert(int m, int s, bool deep = false) {
    if (!model_.static_ok(m, s)) return false;
    Score before = state_.score();
    auto mark = state_.mark();
    std::vector<int> evicted;
    auto evict = [&](int y) {
      if (y < 0 || locked_[y]) return false;
      state_.remove(y);
      evicted.push_back(y);
      return true;
    };
    auto lightest_in_slot = [&](auto&& uses_resource) {
      int found = -1;
      for (int y : state_.in_slot(s)) {
        if (locked_[y] || !uses_resource(y)) continue;
        if (found < 0 || model_.weight[y] < model_.weight[found]) found = y;
      }
      return found;
    };
    bool ok = true;
    int v = model_.venue[m];
    int l = model_.language[m];
    for (int q : {model_.first[m], model_.second[m]}) {
      while (ok && state_.load(q, s) >= model_.capacity[q]) ok = evict(movable_meeting(q, s, m));
      while (ok && state_.day_load(q, model_.day_of[s]) >= model_.daily_max[q]) {
        ok = evict(lightest_on_day(q, model_.day_of[s], m));
      }
    }
    while (ok && state_.table_use(v, s) >= model_.tables[v * model_.slots + s]) {
      ok = evict(lightest_in_slot([&](int y) { return model_.venue[y] == v; }));
    }
    while (ok && l >= 0 &&
           state_.interpreter_use(l, s) >= model_.interpreters[l * model_.slots + s]) {
      ok = evict(lightest_in_slot([&](int y) { return model_.language[y] == l; }));
    }
    for (int e : model_.earlier[m]) {
      if (ok && state_.slot(e) >= s) ok = evict(e);
    }
    for (int e : model_.later[m]) {
      if (ok && state_.slot(e) >= 0 && state_.slot(e) <= s) ok = evict(e);
    }
    if (ok && model_.venues > 1) {
      for (int q : {model_.first[m], model_.second[m]}) {
        for (int y : model_.meetings_of[q]) {
          int t = state_.slot(y);
          if (!ok || t < 0 || y == m || model_.day_of[t] != model_.day_of[s]) continue;
          int u = model_.venue[y];
          if (u != v && std::abs(t - s) - 1 < model_.travel[v * model_.venues + u]) ok = evict(y);
        }
      }
    }
    if (ok && state_.fits(m, s)) {
      state_.place(m, s);
      for (int y : evicted) {
        int t = best_slot(y);
        if (t >= 0) {
          state_.place(y, t);
        } else if (deep) {
          try_kempe_insert(y);
        }
      }
      if (better(state_.score(), before) && careful_enough()) return true;
    }
    state_.undo_to(mark);
    return false;
  }

  // In a careful insertion round, an insertion is kept only when the breaks above the
  // fairness bound do not grow (see insert_unplaced).
  bool careful_enough() const { return over_cap_ < 0 || state_.breaks_over_bound() <= over_cap_; }

  bool try_insert(int m) {
    int s = best_slot(m);
    if (s >= 0) {
      auto mark = state_.mark();
      state_.place(m, s);
      if (careful_enough()) return true;
      state_.undo_to(mark);
    }
    if (try_kempe_insert(m)) return true;
    for (int t = 0; t < model_.slots; ++t) {
      if (try_eject_insert(m, t)) return true;
    }
    return false;
  }

  // Rounds of insertion, heaviest first. A careful round keeps only insertions after which the
  // breaks above the fairness bound do not grow, so that meetings go first where they cost
  // no fairness; the rounds after it take what is left wherever it fits.
  void insert_unplaced(int rounds, int careful_rounds = 0) {
    for (int round = 0; round < rounds && !phase_over(); ++round) {
      // With fairness first every round is careful: no insertion may take anyone further
      // beyond the bound.
      bool careful = round < careful_rounds || model_.fairness_first;
      over_cap_ = careful ? state_.breaks_over_bound() : -1;
      std::vector<int> unplaced;
      for (int m = 0; m < model_.meetings; ++m) {
        if (state_.slot(m) < 0) unplaced.push_back(m);
      }
      std::sort(unplaced.begin(), unplaced.end(),
                [&](int x, int y) { return model_.weight[x] > model_.weight[y]; });
      bool changed = false;
      for (int m : unplaced) {
        if (phase_over()) break;
        if (state_.slot(m) < 0 && try_insert(m)) changed = true;
        state_.forget_journal();
      }
      if (!changed && round >= careful_rounds) break;
    }
    over_cap_ = -1;
  }

  // Branch and bound over `set` (their slots restricted to `slots`, or unplaced), everything
  // else fixed. Keeps the best assignment found (never worse than the current one). Returns
  // true when the search was complete within node_limit.
  //
  // Pruning compares the incumbent with an optimistic score of the subtree: every undecided
  // meeting placed, and each one closing at most one break of each of its participants (a
  // meeting fills one slot, which merges at most two runs) or opening at most one. That bounds
  // the total breaks from below and the fairness excess from below (max breaks cannot fall
  // below breaks - undecided, min breaks cannot rise above breaks + undecided). When the
  // incumbent already meets the bound at the root, the search stops at once.
  bool exact(const std::vector<int>& input, const std::vector<int>& slots, long long node_limit) {
    std::vector<int> set;
    for (int m : input) {
      if (!locked_[m] || model_.fixed[m] >= 0) set.push_back(m);
    }
    std::vector<int> options(model_.meetings, 0);
    for (int m : set) {
      for (int s : slots) options[m] += model_.static_ok(m, s);
    }
    std::sort(set.begin(), set.end(), [&](int x, int y) {
      if (options[x] != options[y]) return options[x] < options[y];
      return model_.weight[x] > model_.weight[y];
    });
    order_by_participant(set);
    Score best = state_.score();
    std::vector<int> best_slots;
    for (int m : set) best_slots.push_back(state_.slot(m));
    auto start = state_.mark();
    for (int m : set) {
      if (state_.slot(m) >= 0) state_.remove(m);
    }
    // Participants of the set and their undecided meetings; the others keep their breaks.
    std::vector<int> touched;
    for (int m : set) {
      for (int q : {model_.first[m], model_.second[m]}) {
        if (undecided_[q]++ == 0) touched.push_back(q);
      }
    }
    int untouched_max = 0;
    int untouched_min = model_.slots + 1;  // none
    {
      std::vector<int> touched_at(model_.slots + 1, 0);
      for (int q : touched) ++touched_at[state_.breaks(q)];
      for (int b = 0; b <= model_.slots; ++b) {
        if (state_.with_breaks(b) > touched_at[b]) {
          untouched_max = b;
          untouched_min = std::min(untouched_min, b);
        }
      }
    }
    std::vector<std::int64_t> rest(set.size() + 1, 0);  // weight of set[i..]
    for (std::size_t k = set.size(); k-- > 0;) rest[k] = rest[k + 1] + model_.weight[set[k]];
    std::vector<std::int64_t> rest_fixed(set.size() + 1, 0);  // of those with a fixed slot
    for (std::size_t k = set.size(); k-- > 0;) {
      rest_fixed[k] = rest_fixed[k + 1] + (model_.fixed[set[k]] >= 0 ? model_.weight[set[k]] : 0);
    }
    auto optimistic = [&](std::size_t i) {
      Score bound;
      bound.weight = state_.weight() + rest[i];
      long long closable = 0;
      int max_low = untouched_max;
      int min_high = untouched_min;
      for (int q : touched) {
        int b = state_.breaks(q);
        int open = undecided_[q];
        closable += std::min(b, open);
        max_low = std::max(max_low, b - open);
        min_high = std::min(min_high, b + open);
      }
      bound.excess = std::max(0, max_low - min_high - model_.fairness_bound);
      bound.excess_first = model_.fairness_first ? bound.excess : 0;
      bound.fixed_weight = model_.fairness_first ? state_.score().fixed_weight + rest_fixed[i] : 0;
      bound.breaks = state_.total_breaks() - closable;
      bound.changes = 0;
      return bound;
    };

    std::vector<int> current(set.size(), -1);
    long long nodes = 0;
    bool complete = true;
    auto dfs = [&](auto&& self, std::size_t i) -> void {
      if (++nodes > node_limit) {
        complete = false;
        return;
      }
      Score bound = optimistic(i);
      if (!better(bound, best)) return;
      // The finer weight bound costs more: only when the simple one does not prune.
      if (i < set.size()) {
        bound.weight = state_.weight() + undecided_weight_bound(set, i, slots);
        if (!better(bound, best)) return;
      }
      if (i == set.size()) {
        Score score = state_.score();
        if (better(score, best)) {
          best = score;
          best_slots = current;
        }
        return;
      }
      int m = set[i];
      --undecided_[model_.first[m]];
      --undecided_[model_.second[m]];
      for (int s : slots) {
        if (!state_.fits(m, s)) continue;
        auto mark = state_.mark();
        state_.place(m, s);
        current[i] = s;
        self(self, i + 1);
        state_.undo_to(mark);
        if (!complete) break;
      }
      if (complete) {
        current[i] = -1;
        self(self, i + 1);
      }
      ++undecided_[model_.first[m]];
      ++undecided_[model_.second[m]];
    };
    dfs(dfs, 0);
    for (int q : touched) undecided_[q] = 0;
    state_.undo_to(start);
    for (std::size_t i = 0; i < set.size(); ++i) {
      if (state_.slot(set[i]) >= 0) state_.remove(set[i]);
    }
    for (std::size_t i = 0; i < set.size(); ++i) {
      if (best_slots[i] >= 0) state_.place(set[i], best_slots[i]);
    }
    state_.forget_journal();
    return complete;
  }

  // Decides the meetings of one participant after another (the busiest first, each one's
  // meetings in their given order), so that participants' breaks become final early and the
  // breaks bound of exact() bites high in the tree.
  void order_by_participant(std::vector<int>& set) {
    std::vector<int> ordered;
    std::vector<char> taken(set.size(), 0);
    while (ordered.size() < set.size()) {
      int busiest = -1;
      int most = 0;
      for (std::size_t k = 0; k < set.size(); ++k) {
        if (taken[k]) continue;
        for (int q : {model_.first[set[k]], model_.second[set[k]]}) {
          int count = 0;
          for (std::size_t j = 0; j < set.size(); ++j) {
            count += !taken[j] && (model_.first[set[j]] == q || model_.second[set[j]] == q);
          }
          if (count > most) {
            most = count;
            busiest = q;
          }
        }
      }
      for (std::size_t k = 0; k < set.size(); ++k) {
        if (!taken[k] && (model_.first[set[k]] == busiest || model_.second[set[k]] == busiest)) {
          taken[k] = 1;
          ordered.push_back(set[k]);
        }
      }
    }
    set = std::move(ordered);
  }

  // Weight that the undecided meetings set[i..] can still add: only those that fit some slot,
  // and at a participant, a venue's tables or an interpreter pool with more of them than free
  // room in `slots`, the lightest are lost. Losses add up over resources whose undecided
  // meetings are disjoint (taken greedily, largest loss first): each lost meeting counts once.
  std::int64_t undecided_weight_bound(const std::vector<int>& set, std::size_t i,
                                      const std::vector<int>& slots) {
    const int venue_base = model_.participants;
    const int language_base = venue_base + model_.venues;
    std::vector<int>& used = used_resources_;
    auto wait = [&](int resource, int m) {
      if (waiting_[resource].empty()) used.push_back(resource);
      waiting_[resource].push_back(m);
    };
    std::int64_t total = 0;
    for (std::size_t k = i; k < set.size(); ++k) {
      int m = set[k];
      bool fits = false;
      for (int s : slots) {
        if (state_.fits(m, s)) {
          fits = true;
          break;
        }
      }
      if (!fits) continue;
      total += model_.weight[m];
      wait(model_.first[m], m);
      wait(model_.second[m], m);
      wait(venue_base + model_.venue[m], m);
      if (model_.language[m] >= 0) wait(language_base + model_.language[m], m);
    }
    auto room_of = [&](int resource) {
      int room = 0;
      if (resource >= language_base) {
        int l = resource - language_base;
        for (int s : slots) {
          room += model_.interpreters[l * model_.slots + s] - state_.interpreter_use(l, s);
        }
      } else if (resource >= venue_base) {
        int v = resource - venue_base;
        for (int s : slots) room += model_.tables[v * model_.slots + s] - state_.table_use(v, s);
      } else {
        int q = resource;
        int day_room = 0;
        for (std::size_t k = 0; k < slots.size(); ++k) {
          int s = slots[k];
          if (k > 0 && model_.day_of[s] != model_.day_of[slots[k - 1]]) {
            room += day_room;
            day_room = 0;
          }
          if (!model_.unavailable[static_cast<std::size_t>(q) * model_.slots + s]) {
            day_room += model_.capacity[q] - state_.load(q, s);
          }
          int day_left = model_.daily_max[q] - state_.day_load(q, model_.day_of[s]);
          day_room = std::min(day_room, std::max(0, day_left));
        }
        room += day_room;
      }
      return room;
    };
    std::vector<std::pair<std::int64_t, int>> losses;  // (loss, resource)
    for (int r : used) {
      auto& mine = waiting_[r];
      int room = room_of(r);
      if (static_cast<int>(mine.size()) <= room) continue;
      std::sort(mine.begin(), mine.end(),
                [&](int x, int y) { return model_.weight[x] < model_.weight[y]; });
      std::int64_t loss = 0;
      for (std::size_t k = 0; k + room < mine.size(); ++k) loss += model_.weight[mine[k]];
      losses.push_back({loss, r});
    }
    std::sort(losses.begin(), losses.end(), std::greater<>());
    std::vector<int> counted;
    for (auto [loss, r] : losses) {
      bool disjoint = true;
      for (int m : waiting_[r]) {
        disjoint = disjoint && std::find(counted.begin(), counted.end(), m) == counted.end();
      }
      if (!disjoint) continue;
      total -= loss;
      counted.insert(counted.end(), waiting_[r].begin(), waiting_[r].end());
    }
    for (int r : used) waiting_[r].clear();
    used.clear();
    return total;
  }

  // The fairness repair's measure: placed weight, then the excess over d, then the breaks
  // beyond the bound summed over participants, then the total breaks. When fairness comes
  // first (Model::fairness_first), the excess and the breaks beyond the bound rank above the
  // weight, so that leaving meetings out (leave_out_one) counts as progress.
  struct Fairness {
    bool first = false;
    std::int64_t weight = 0;
    int excess = 0;
    long long over = 0;
    long long breaks = 0;
  };
  Fairness fairness() const {
    Score score = state_.score();
    return {model_.fairness_first && !weight_first_, score.weight, score.excess,
            state_.breaks_over_bound(), score.breaks};
  }
  static bool fairer(const Fairness& a, const Fairness& b) {
    if (a.first && (a.excess != b.excess || a.over != b.over)) {
      return a.excess != b.excess ? a.excess < b.excess : a.over < b.over;
    }
    if (a.weight != b.weight) return a.weight > b.weight;
    if (a.excess != b.excess) return a.excess < b.excess;
    if (a.over != b.over) return a.over < b.over;
    return a.breaks < b.breaks;
  }

  // Moves placed meeting m to slot t, directly or along a Kempe chain; kept only when fairer.
  bool try_fairer_move(int m, int t, const Fairness& now) {
    if (state_.slot(m) == t) return false;
    auto mark = state_.mark();
    for (int way = 0; way < 4; ++way) {
      state_.undo_to(mark);
      bool moved = false;
      if (way == 0 || way == 3) {
        state_.remove(m);
        moved = way == 0 ? state_.fits(m, t) : try_eject_insert(m, t, true);
        if (way == 0 && moved) state_.place(m, t);
      } else {
        moved = way == 1 ? kempe_chain(m, t) : swap_into(m, t);
      }
      if (!moved) continue;
      Fairness after = fairness();
      if (fairer(after, now)) return true;
      // Sideways steps now and then, to leave plateaus: same weight, excess and breaks above
      // the bound, whatever the total (a later move may then close a break).
      bool level =
          after.weight == now.weight && after.excess == now.excess && after.over == now.over;
      if (level && std::uniform_int_distribution<int>(0, 3)(rng_) == 0) {
        return false;  // kept, but not an improvement
      }
    }
    state_.undo_to(mark);
    return false;
  }

  // Moves placed m into slot t by taking out one meeting y of t that competes with it (same
  // participant, venue or interpreter pool), then puts y into the slot where it is fairest. Leaves
  // the state changed on success; the caller undoes.
  bool swap_into(int m, int t) {
    // The meetings of m's participants in t first (they block it outright), then others of the
    // venue or interpreter pool probed at random in the slot: a slot holds ~2,000 meetings on
    // the 50,000-meeting instance, and shuffling all that compete for kSwapRivals was most of
    // the repair's time.
    std::vector<int> rivals;
    for (int q : {model_.first[m], model_.second[m]}) {
      for (int y : model_.meetings_of[q]) {
        if (y != m && !locked_[y] && state_.slot(y) == t) rivals.push_back(y);
      }
    }
    const auto& there = state_.in_slot(t);
    std::uniform_int_distribution<std::size_t> any(0, there.empty() ? 0 : there.size() - 1);
    for (int k = 0; k < kSwapProbes && !there.empty() && rivals.size() < kSwapRivals; ++k) {
      int y = there[any(rng_)];
      if (locked_[y] || std::find(rivals.begin(), rivals.end(), y) != rivals.end()) continue;
      bool shares = model_.venue[y] == model_.venue[m] ||
                    (model_.language[m] >= 0 && model_.language[y] == model_.language[m]);
      if (shares) rivals.push_back(y);
    }
    for (int y : rivals) {
      auto mark = state_.mark();
      state_.remove(m);
      state_.remove(y);
      if (state_.fits(m, t)) {
        state_.place(m, t);
        int best = -1;
        Fairness best_fairness;
        for (int u = 0; u < model_.slots; ++u) {
          if (!state_.fits(y, u)) continue;
          auto trial = state_.mark();
          state_.place(y, u);
          Fairness now = fairness();
          state_.undo_to(trial);
          if (best < 0 || fairer(now, best_fairness)) {
            best = u;
            best_fairness = now;
          }
        }
        if (best >= 0) {
          state_.place(y, best);
          return true;
        }
      }
      state_.undo_to(mark);
    }
    return false;
  }

  // Takes breaks from participant p: each of p's movable meetings on a day with a break is
  // tried in each free slot of that day between p's first and last meeting, and next to them;
  // with `anywhere`, in every slot (a busy one swaps p's meetings along a Kempe chain).
  bool close_gaps(int p, bool anywhere) {
    bool improved = false;
    std::vector<int> mine;
    for (int y : model_.meetings_of[p]) {
      if (!locked_[y] && state_.slot(y) >= 0) mine.push_back(y);
    }
    std::shuffle(mine.begin(), mine.end(), rng_);
    for (int m : mine) {
      int s = state_.slot(m);
      if (s < 0) continue;
      int first = -1;
      int last = -1;
      for (int t = model_.day_first[s]; t <= model_.day_last[s]; ++t) {
        if (state_.load(p, t) == 0) continue;
        if (first < 0) first = t;
        last = t;
      }
      if (last - first + 1 == day_busy_slots(p, first, last)) continue;  // no break that day
      int from = anywhere ? 0 : std::max(model_.day_first[s], first - 1);
      int to = anywhere ? model_.slots - 1 : std::min(model_.day_last[s], last + 1);
      for (int t = from; t <= to; ++t) {
        if ((!anywhere && state_.load(p, t) > 0) || !model_.static_ok(m, t)) continue;
        if (try_fairer_move(m, t, fairness())) {
          improved = true;
          break;
        }
      }
    }
    return improved;
  }

  // With fairness first: every unplaced meeting with a fixed slot (a booking) that fits it is
  // placed, whatever it costs in breaks (it is never left out), then what is beyond the bound
  // is left out (leave_out_until_fair), until no more fixed meeting fits.
  void place_fixed_then_leave_out() {
    for (bool placed_one = true; placed_one;) {
      placed_one = false;
      for (int m = 0; m < model_.meetings; ++m) {
        if (state_.slot(m) < 0 && !locked_[m] && model_.fixed[m] >= 0 &&
            state_.fits(m, model_.fixed[m])) {
          state_.place(m, model_.fixed[m]);
          placed_one = true;
        }
      }
      leave_out_until_fair();
    }
  }

  // Leaves out meetings of the participants beyond the bound, the most breaks first, until
  // fairness holds (or nothing left out helps: locked meetings).
  void leave_out_until_fair() {
    int forced = forced_excess(model_, [&](int m) { return state_.slot(m); });
    while (state_.score().excess > forced) {
      int limit = state_.min_breaks() + model_.fairness_bound;
      std::vector<int> above;
      for (int p = 0; p < model_.participants; ++p) {
        if (state_.breaks(p) > limit) above.push_back(p);
      }
      std::stable_sort(above.begin(), above.end(),
                       [&](int x, int y) { return state_.breaks(x) > state_.breaks(y); });
      bool progress = false;
      for (int p : above) {
        while (state_.breaks(p) > limit && leave_out_one(p, false)) progress = true;
      }
      // Stuck (each run left out would push partners further beyond the bound than it helps,
      // or holds a kept meeting): the least harmful run goes anyway; meetings only leave, so
      // this ends, and with fairness (no one has breaks when nothing is placed).
      if (!progress && !above.empty()) progress = leave_out_one(above.front(), true);
      state_.forget_journal();
      if (!progress) break;
    }
  }

  // With fairness first, after the repair by moves: leaves out one run of p's meetings (a
  // maximal run of busy slots on a day with a break: without it the day has one break fewer),
  // the one whose absence is fairest (the lightest among equals), if that is fairer;
  // `even_if_worse`: the fairest in any case, kept meetings included.
  bool leave_out_one(int p, bool even_if_worse) {
    std::vector<std::vector<int>> runs;
    for (int first = 0; first < model_.slots; first = model_.day_last[first] + 1) {
      std::vector<std::vector<int>> day;
      for (int t = first; t <= model_.day_last[first]; ++t) {
        if (state_.load(p, t) == 0) continue;
        if (day.empty() || state_.load(p, t - 1) == 0) day.emplace_back();
        day.back().push_back(t);
      }
      if (day.size() > 1) runs.insert(runs.end(), day.begin(), day.end());
    }
    std::vector<std::pair<std::int64_t, std::vector<int>>> options;  // (weight, meetings)
    for (const auto& run : runs) {
      std::pair<std::int64_t, std::vector<int>> option;
      bool movable = true;
      for (int y : model_.meetings_of[p]) {
        int t = state_.slot(y);
        if (t < 0 || std::find(run.begin(), run.end(), t) == run.end()) continue;
        // A meeting with a fixed slot (a booking) is never left out: as a last resort, the
        // others of its run go. A repair's kept ones go only as a last resort.
        if (model_.fixed[y] >= 0) {
          movable = movable && even_if_worse;
          continue;
        }
        movable = movable && (!locked_[y] || even_if_worse);
        option.first += model_.weight[y];
        option.second.push_back(y);
      }
      if (movable && !option.second.empty()) options.push_back(std::move(option));
    }
    std::sort(options.begin(), options.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    // The fairest option; one that only moves the excess on to partners (as many breaks
    // beyond the bound as before) is still taken when p gets fewer: each step leaves out
    // meetings, so this ends, and the careful insertion takes back what fits afterwards.
    Fairness now = fairness();
    int own = state_.breaks(p);
    const std::vector<int>* best = nullptr;
    Fairness best_fairness;
    for (const auto& option : options) {
      auto mark = state_.mark();
      for (int y : option.second) state_.remove(y);
      Fairness after = fairness();
      bool keeps = even_if_worse || fairer(after, now) ||
                   (after.excess == now.excess && after.over == now.over && state_.breaks(p) < own);
      if (keeps && (best == nullptr || fairer(after, best_fairness))) {
        best = &option.second;
        best_fairness = after;
      }
      state_.undo_to(mark);
    }
    if (best == nullptr) return false;
    for (int y : *best) state_.remove(y);
    return true;
  }

  int day_busy_slots(int p, int first, int last) const {
    int busy = 0;
    for (int t = first; t <= last; ++t) busy += state_.load(p, t) > 0;
    return busy;
  }

  // Fairness repair: while max - min breaks exceeds d, participants above min + d give up
  // breaks (moves may cost other participants breaks: fairness ranks above the total). Undone
  // when it ends worse than it began.
  void repair_fairness() {
    if (state_.score().excess == 0) return;
    Score before = state_.score();
    std::vector<int> snapshot(model_.meetings);
    for (int m = 0; m < model_.meetings; ++m) snapshot[m] = state_.slot(m);
    bool anywhere = false;  // widened once the day-local moves are exhausted
    int stale = 0;          // passes without improvement
    Fairness lowest = fairness();
    while (!phase_over() && state_.score().excess > 0) {
      int limit = state_.min_breaks() + model_.fairness_bound;
      // Every participant above the bound, the top of the distribution first (it is what the
      // excess measures). Working on the top two levels only left the many just above the
      // bound untouched: on the 50,000-meeting instance the breaks above the bound (squared)
      // ended ~20 % higher, the total breaks ~3 % higher, at the same maximum.
      std::vector<int> above;
      for (int p = 0; p < model_.participants; ++p) {
        if (state_.breaks(p) > limit) above.push_back(p);
      }
      std::shuffle(above.begin(), above.end(), rng_);
      std::stable_sort(above.begin(), above.end(),
                       [&](int x, int y) { return state_.breaks(x) > state_.breaks(y); });
      for (int p : above) {
        if (phase_over()) break;
        if (state_.breaks(p) > limit) close_gaps(p, anywhere);
        state_.forget_journal();
      }
      // Progress is a new low of the breaks above the bound: sideways steps may raise and
      // lower the total without end.
      Fairness now = fairness();
      bool improved =
          now.excess < lowest.excess || (now.excess == lowest.excess && now.over < lowest.over);
      if (improved) lowest = now;
      if (improved) {
        stale = 0;
      } else if (!anywhere) {
        anywhere = true;
      } else if (++stale > kFairnessStalePasses) {
        break;
      }
    }
    state_.forget_journal();
    if (better(before, state_.score())) restore(snapshot);
  }

  void restore(const std::vector<int>& slots) {
    for (int m = 0; m < model_.meetings; ++m) {
      if (state_.slot(m) >= 0) state_.remove(m);
    }
    for (int m = 0; m < model_.meetings; ++m) {
      if (slots[m] >= 0) state_.place(m, slots[m]);
    }
    state_.forget_journal();
  }

  // A participant worth improving: one with the most breaks while fairness is exceeded, else
  // one with breaks, else a buyer who changes venue; -1 when nothing is left to improve.
  int pick_participant(const Score& score) {
    if (model_.participants == 0) return -1;
    std::uniform_int_distribution<int> any(0, model_.participants - 1);
    int top = state_.max_breaks();
    for (int k = 0; k < kSampleTries; ++k) {
      int p = any(rng_);
      if (score.excess > 0 ? state_.breaks(p) == top : state_.breaks(p) > 0) return p;
    }
    for (int k = 0; k < kSampleTries; ++k) {
      int p = any(rng_);
      if (state_.breaks(p) > 0 || state_.changes(p) > 0) return p;
    }
    // Rare targets: scan from a random start so the search does not stall on sampling.
    int start = any(rng_);
    for (int k = 0; k < model_.participants; ++k) {
      int p = (start + k) % model_.participants;
      if (state_.breaks(p) > 0 || state_.changes(p) > 0) return p;
    }
    return -1;
  }

  // Moves m to the best slot, accepting an equal objective (a sideways step) at random.
  void relocate(int m) {
    int from = state_.slot(m);
    Score before = state_.score();
    auto mark = state_.mark();
    state_.remove(m);
    int best = from;
    Score best_score = before;
    int ties = 1;
    for (int s = 0; s < model_.slots; ++s) {
      if (s == from || !state_.fits(m, s)) continue;
      auto trial = state_.mark();
      state_.place(m, s);
      Score score = state_.score();
      state_.undo_to(trial);
      if (better(score, best_score)) {
        best = s;
        best_score = score;
        ties = 1;
      } else if (same(score, best_score) &&
                 std::uniform_int_distribution<int>(0, ties++)(rng_) == 0) {
        best = s;
      }
    }
    if (best == from) {
      state_.undo_to(mark);
    } else {
      state_.place(m, best);
    }
  }

  void kempe_move(int m) {
    int from = state_.slot(m);
    int first = model_.day_first[from];
    int last = model_.day_last[from];
    if (first == last) return;
    int to = std::uniform_int_distribution<int>(first, last - 1)(rng_);
    if (to >= from) ++to;
    Score before = state_.score();
    auto mark = state_.mark();
    if (!kempe_chain(m, to) || better(before, state_.score())) state_.undo_to(mark);
  }

  void day_neighbourhood(int p, int m) {
    int s = state_.slot(m);
    std::vector<int> set;
    for (int y : model_.meetings_of[p]) {
      int t = state_.slot(y);
      if (t >= 0 && !locked_[y] && model_.day_of[t] == model_.day_of[s]) set.push_back(y);
    }
    std::shuffle(set.begin(), set.end(), rng_);
    if (set.size() > static_cast<std::size_t>(kDayNeighbourhoodMeetings)) {
      set.resize(kDayNeighbourhoodMeetings);
    }
    std::vector<int> slots;
    for (int t = model_.day_first[s]; t <= model_.day_last[s]; ++t) slots.push_back(t);
    exact(set, slots, kDayNeighbourhoodNodes);
  }

  void improve() {
    Score best = state_.score();
    long long stall = 0;
    while (true) {
      if (options_.iteration_limit > 0 && iterations_ >= options_.iteration_limit) {
        stopped_by_ = "iteration_limit";
        return;
      }
      if ((iterations_ & 63) == 0 && phase_over()) {
        stopped_by_ = "time_limit";  // the deadline or the phase's share of it
        return;
      }
      ++iterations_;
      if (iterations_ % kReinsertEvery == 0 && state_.placed() < model_.meetings) {
        insert_unplaced(1);
      }
      Score score = state_.score();
      int p = pick_participant(score);
      if (p < 0) {
        // Nothing left to improve except unplaced meetings, which were just retried.
        if (state_.placed() == model_.meetings || stall > stall_limit_) {
          stopped_by_ = "converged";
          return;
        }
      } else {
        std::vector<int> movable;
        for (int y : model_.meetings_of[p]) {
          if (!locked_[y] && state_.slot(y) >= 0) movable.push_back(y);
        }
        if (!movable.empty()) {
          int m = movable[std::uniform_int_distribution<std::size_t>(0, movable.size() - 1)(rng_)];
          int kind = std::uniform_int_distribution<int>(0, 99)(rng_);
          if (kind < 70) {
            relocate(m);
          } else if (kind < 95) {
            kempe_move(m);
          } else {
            day_neighbourhood(p, m);
          }
        }
      }
      state_.forget_journal();
      Score now = state_.score();
      if (better(now, best)) {
        best = now;
        stall = 0;
      } else if (++stall > stall_limit_) {
        stopped_by_ = "converged";
        return;
      }
    }
  }

  const Model& model_;
  SolveOptions options_;
  State state_;
  std::vector<char> locked_;    // fixed meetings and, in a repair, the kept ones
  std::vector<int> undecided_;  // per participant: its undecided meetings in exact(); 0 outside
  // Scratch of undecided_weight_bound: per resource (participants, then venues, then
  // languages) its undecided meetings, and the resources in use.
  std::vector<std::vector<int>> waiting_;
  std::vector<int> used_resources_;
  std::mt19937_64 rng_;
  Clock::time_point started_;
  Clock::time_point deadline_;
  Clock::time_point phase_end_;
  long long stall_limit_ = 0;
  long long over_cap_ = -1;  // in a careful insertion round: breaks_over_bound() not to exceed
  long long iterations_ = 0;
  bool proven_optimal_ = false;
  bool weight_first_ = false;  // fairness first, but the repair's measure ranks weight first
  std::string stopped_by_ = "converged";
};

// Upper bound on placed weight: meetings with no static slot can never be placed; a
// participant cannot hold more meetings than its room (capacity x available slots, at most the
// daily maximum each day), a venue more than its tables over the slots, an interpreter pool
// more than its interpreters over the slots, so the lightest candidates beyond that are lost.
// Losses add up over resources whose candidate meetings are disjoint (no meeting counted
// twice); they are taken greedily, the largest loss first.
std::int64_t weight_upper_bound(const Model& md) {
  std::vector<char> possible(md.meetings, 0);
  std::int64_t total = 0;
  for (int m = 0; m < md.meetings; ++m) {
    for (int s = 0; s < md.slots && !possible[m]; ++s) possible[m] = md.static_ok(m, s);
    if (possible[m]) total += md.weight[m];
  }
  // Candidate meetings and room per resource: participants, then venues, then languages.
  std::vector<std::vector<int>> candidates(md.participants + md.venues + md.languages);
  std::vector<long long> room(candidates.size(), 0);
  for (int m = 0; m < md.meetings; ++m) {
    if (!possible[m]) continue;
    candidates[md.first[m]].push_back(m);
    candidates[md.second[m]].push_back(m);
    candidates[md.participants + md.venue[m]].push_back(m);
    if (md.language[m] >= 0) candidates[md.participants + md.venues + md.language[m]].push_back(m);
  }
  for (int p = 0; p < md.participants; ++p) {
    std::vector<int> per_day(md.days, 0);
    for (int s = 0; s < md.slots; ++s) {
      per_day[md.day_of[s]] += md.unavailable[p * md.slots + s] ? 0 : md.capacity[p];
    }
    for (int count : per_day) room[p] += std::min(count, md.daily_max[p]);
  }
  for (int s = 0; s < md.slots; ++s) {
    for (int v = 0; v < md.venues; ++v) room[md.participants + v] += md.tables[v * md.slots + s];
    for (int l = 0; l < md.languages; ++l) {
      room[md.participants + md.venues + l] += md.interpreters[l * md.slots + s];
    }
  }
  std::vector<std::pair<std::int64_t, int>> losses;  // (loss, resource)
  for (std::size_t r = 0; r < candidates.size(); ++r) {
    auto& mine = candidates[r];
    if (static_cast<long long>(mine.size()) <= room[r]) continue;
    std::sort(mine.begin(), mine.end(), [&](int x, int y) { return md.weight[x] > md.weight[y]; });
    std::int64_t loss = 0;
    for (std::size_t k = static_cast<std::size_t>(room[r]); k < mine.size(); ++k) {
      loss += md.weight[mine[k]];
    }
    losses.push_back({loss, static_cast<int>(r)});
  }
  std::sort(losses.begin(), losses.end(), std::greater<>());
  std::vector<char> counted(md.meetings, 0);
  for (auto [loss, r] : losses) {
    const auto& mine = candidates[r];
    if (std::any_of(mine.begin(), mine.end(), [&](int m) { return counted[m] != 0; })) continue;
    total -= loss;
    for (int m : mine) counted[m] = 1;
  }
  return total;
}

// Why an unplaced meeting is unplaced, from the final schedule.
Unplaced explain(const Problem& problem, const Model& md, const State& state, int m) {
  std::map<std::string, int> counts;
  bool possible = false;
  for (int s = 0; s < md.slots; ++s) {
    Block block = md.static_block(m, s);
    if (block == Block::kNone) {
      possible = true;
      block = state.blocked_by(m, s);
    }
    if (block != Block::kFixedElsewhere) ++counts[search::block_name(block)];
  }
  std::string detail;
  for (const auto& [name, count] : counts) {
    if (!detail.empty()) detail += ", ";
    detail += name + " in " + std::to_string(count) + (count == 1 ? " slot" : " slots");
  }
  std::string reason = !possible ? (md.fixed[m] >= 0 ? "fixed_slot_infeasible" : "no_feasible_slot")
                                 : "capacity_exhausted";
  auto fits_now = counts.find(search::block_name(Block::kNone));
  if (md.fairness_first && fits_now != counts.end()) {
    // Free slots exist, but the fairness bound comes first and each of them would break it.
    return {problem.meetings[m].id, "fairness_bound",
            "fits " + std::to_string(fits_now->second) +
                " slots, but in each of them a participant's breaks would exceed the fairness "
                "bound, which this problem puts before placement"};
  }
  if (possible) detail = "every candidate slot is taken by heavier or kept meetings: " + detail;
  return {problem.meetings[m].id, reason, detail};
}

Solution build_solution(const Problem& problem, const Model& md, Search& search,
                        const std::unordered_map<std::string, int>& preferred_table) {
  const State& state = search.state();
  Solution out;
  // Tables: keep a published table when it is still free, then fill the lowest free ones.
  std::vector<std::vector<char>> taken(static_cast<std::size_t>(md.venues) * md.slots);
  std::vector<int> table_of(md.meetings, -1);
  auto table_row = [&](int m) -> std::vector<char>& {
    auto& row = taken[md.venue[m] * md.slots + state.slot(m)];
    row.resize(md.tables[md.venue[m] * md.slots + state.slot(m)], 0);
    return row;
  };
  for (int m = 0; m < md.meetings; ++m) {
    if (state.slot(m) < 0) continue;
    auto it = preferred_table.find(problem.meetings[m].id);
    if (it == preferred_table.end()) continue;
    auto& row = table_row(m);
    if (it->second >= 0 && it->second < static_cast<int>(row.size()) && !row[it->second]) {
      row[it->second] = 1;
      table_of[m] = it->second;
    }
  }
  for (int m = 0; m < md.meetings; ++m) {
    int s = state.slot(m);
    if (s < 0) {
      out.unplaced.push_back(explain(problem, md, state, m));
      continue;
    }
    if (table_of[m] < 0) {
      auto& row = table_row(m);
      table_of[m] = static_cast<int>(std::find(row.begin(), row.end(), 0) - row.begin());
      row[table_of[m]] = 1;
    }
    out.assignments.push_back(
        {problem.meetings[m].id, s, problem.venues[md.venue[m]].id, table_of[m]});
    out.objective.placed_weight += problem.meetings[m].weight;
  }
  Score score = state.score();
  out.objective.placed = state.placed();
  out.objective.breaks = static_cast<int>(score.breaks);
  out.objective.max_breaks = state.max_breaks();
  out.objective.min_breaks = state.min_breaks();
  out.objective.fairness_excess = score.excess;
  out.objective.venue_changes = static_cast<int>(score.changes);
  out.proven_optimal = search.proven_optimal();
  if (out.proven_optimal) {
    out.weight_upper_bound = out.objective.placed_weight;
    out.breaks_lower_bound = out.objective.breaks;
  } else {
    out.weight_upper_bound =
        std::max(out.objective.placed_weight,
                 static_cast<double>(weight_upper_bound(md)) / search::kWeightScale);
    out.breaks_lower_bound = 0;
  }
  out.weight_gap =
      out.weight_upper_bound > 0
          ? (out.weight_upper_bound - out.objective.placed_weight) / out.weight_upper_bound
          : 0;
  if (out.weight_gap < 1e-9) out.weight_gap = 0;
  out.breaks_gap = out.objective.breaks - out.breaks_lower_bound;
  out.stopped_by = search.stopped_by();
  out.seconds = search.seconds();
  out.iterations = search.iterations();
  return out;
}

int fairness_bound(const Problem& problem, const SolveOptions& options) {
  return options.fairness_bound >= 0 ? options.fairness_bound : problem.fairness_bound;
}

// Runs options.threads searches side by side (seeds seed, seed + 1, ...), each prepared by
// `prepare` first (on the calling thread), and returns them with the best first: the first
// among equals, so that the same seed and iteration limit give the same schedule. A problem
// small enough for the whole-problem exact search gets one search: the exact search proves
// its schedule optimal in milliseconds, and a second thread would only add its start-up.
template <class Prepare>
std::vector<std::unique_ptr<Search>> side_by_side(const Model& model, const SolveOptions& options,
                                                  Prepare&& prepare, bool try_whole_exact) {
  bool exact_sized = try_whole_exact && model.meetings <= kExactWholeMaxMeetings;
  unsigned count = exact_sized ? 1 : std::max(1u, options.threads);
  std::vector<std::unique_ptr<Search>> searches;
  for (unsigned i = 0; i < count; ++i) {
    SolveOptions own = options;
    own.seed = options.seed + i;
    searches.push_back(std::make_unique<Search>(model, own, std::vector<char>(model.meetings, 0)));
    prepare(*searches.back());
  }
  for_each_index(searches.size(), static_cast<unsigned>(searches.size()), 1,
                 [&](unsigned, std::size_t i) { searches[i]->run(try_whole_exact); });
  auto best = searches.begin();
  for (auto it = searches.begin() + 1; it != searches.end(); ++it) {
    if (better((*it)->state().score(), (*best)->state().score())) best = it;
  }
  std::rotate(searches.begin(), best, best + 1);
  return searches;
}

}  // namespace

Solution solve(const Problem& problem, const SolveOptions& options) {
  validate(problem);
  Model model(problem, fairness_bound(problem, options));
  auto searches = side_by_side(
      model, options, [](Search&) {}, true);
  return build_solution(problem, model, *searches.front(), {});
}

Solution repair(const Problem& problem, const Solution& published, const SolveOptions& options) {
  validate(problem);
  Model model(problem, fairness_bound(problem, options));
  std::unordered_map<std::string, int> index;
  for (int m = 0; m < model.meetings; ++m) index.emplace(problem.meetings[m].id, m);

  // Keep published meetings in place, heaviest first when two no longer fit together.
  std::vector<const Assignment*> kept;
  for (const auto& a : published.assignments) kept.push_back(&a);
  auto weight_of = [&](const Assignment* a) {
    auto it = index.find(a->meeting);
    return it == index.end() ? 0 : model.weight[it->second];
  };
  std::stable_sort(kept.begin(), kept.end(), [&](const Assignment* x, const Assignment* y) {
    return weight_of(x) > weight_of(y);
  });
  std::unordered_map<std::string, int> published_slot;
  std::unordered_map<std::string, int> preferred_table;
  for (const Assignment* a : kept) published_slot[a->meeting] = a->slot;
  auto keep_published = [&](Search& search) {
    State& state = search.state();
    for (const Assignment* a : kept) {
      auto it = index.find(a->meeting);
      if (it == index.end() || a->slot < 0 || a->slot >= model.slots) continue;
      int m = it->second;
      if (state.slot(m) >= 0 || !state.fits(m, a->slot)) continue;
      state.place(m, a->slot);
      search.locked()[m] = 1;
      preferred_table[a->meeting] = a->table;  // the same for every search
    }
    state.forget_journal();
  };
  auto searches = side_by_side(model, options, keep_published, false);
  Search& search = *searches.front();
  const State& state = search.state();
  Solution out = build_solution(problem, model, search, preferred_table);
  for (const auto& a : published.assignments) {
    auto it = index.find(a.meeting);
    int now = it == index.end() ? -1 : state.slot(it->second);
    if (now != a.slot) out.moves.push_back({a.meeting, a.slot, now});
  }
  for (int m = 0; m < model.meetings; ++m) {
    if (state.slot(m) >= 0 && !published_slot.contains(problem.meetings[m].id)) {
      out.moves.push_back({problem.meetings[m].id, -1, state.slot(m)});
    }
  }
  return out;
}

}  // namespace sangdam::schedule
