// The solver's bookkeeping (internal to matching/schedule): the problem resolved to integer
// indices, and a mutable schedule that keeps loads, breaks and the objective up to date on
// every place/remove, with a journal so that any trial can be undone exactly.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "matching/schedule/problem.hpp"

namespace sangdam::schedule::search {

// Weights are held in thousandths so that sums are exact.
inline constexpr double kWeightScale = 1000.0;

// What keeps a meeting out of a slot; kNone when it fits.
enum class Block {
  kNone,
  kFixedElsewhere,
  kOutsideSession,
  kParticipantUnavailable,
  kNoTable,
  kNoInterpreter,
  kParticipantBusy,
  kDailyMaximum,
  kTablesFull,
  kInterpretersFull,
  kPrecedence,
  kTravel,
};
const char* block_name(Block block);

struct Model {
  int slots = 0;
  int participants = 0;
  int meetings = 0;
  int venues = 0;
  int languages = 0;
  int days = 0;
  int fairness_bound = 0;
  bool fairness_first = false;  // the bound ranks above placed weight (Problem::fairness_first)
  std::vector<int> day_of;      // per slot
  std::vector<int> day_first;   // per slot: first slot of its day
  std::vector<int> day_last;    // per slot: last slot of its day
  // With at most 64 slots, the busy slots of a participant are a bit mask (State::busy_), and
  // per slot these masks hold: the slots of its day (its run day_first..day_last), those of
  // them within max_travel of it (itself included); per meeting, the slots where
  // static_block() is kNone.
  bool slot_masks = false;
  std::vector<std::uint64_t> day_mask;
  std::vector<std::uint64_t> travel_window;
  std::vector<std::uint64_t> static_allowed;
  std::vector<Session> session_of;
  std::vector<int> capacity;      // per participant
  std::vector<int> daily_max;     // per participant; none: capacity x slots
  std::vector<char> buyer;        // per participant
  std::vector<char> unavailable;  // participants x slots
  std::vector<int> first, second, venue, language, fixed;  // per meeting; -1 none
  std::vector<SessionRestriction> restriction;
  std::vector<std::int64_t> weight;
  std::vector<std::vector<int>> earlier;      // meetings that must be in an earlier slot
  std::vector<std::vector<int>> later;        // meetings that must be in a later slot
  std::vector<int> tables;                    // venues x slots
  std::vector<int> interpreters;              // languages x slots
  std::vector<int> travel;                    // venues x venues: free slots needed between
  int max_travel = 0;                         // the largest of them
  std::vector<std::vector<int>> meetings_of;  // per participant

  explicit Model(const Problem& problem, int fairness_bound);

  // Constraints that do not depend on other meetings: session, fixed slot, availability,
  // a table and an interpreter existing at all.
  bool static_ok(int m, int s) const {
    if (slot_masks) return (static_allowed[m] >> s) & 1;
    return static_block(m, s) == Block::kNone;
  }
  Block static_block(int m, int s) const;
};

// Lexicographic objective of the solver; better() is the one comparison used everywhere.
struct Score {
  // When fairness ranks first (Model::fairness_first): the weight of the placed meetings with a
  // fixed slot (bookings are never left out for fairness), then the excess; else both 0.
  std::int64_t fixed_weight = 0;
  int excess_first = 0;
  std::int64_t weight = 0;
  int excess = 0;
  long long breaks = 0;
  long long changes = 0;
};
bool better(const Score& a, const Score& b);
inline bool same(const Score& a, const Score& b) {
  return !better(a, b) && !better(b, a);
}

class State {
 public:
  explicit State(const Model& model);

  const Model& model() const { return model_; }
  int slot(int m) const { return slot_[m]; }
  int load(int p, int s) const { return cells_[p * model_.slots + s].load; }
  int breaks(int p) const { return breaks_[p]; }
  int table_use(int v, int s) const { return table_use_[v * model_.slots + s]; }
  int interpreter_use(int l, int s) const { return interpreter_use_[l * model_.slots + s]; }
  // Venue of p's meetings in slot s (meaningful while load(p, s) > 0).
  int venue_at(int p, int s) const { return cells_[p * model_.slots + s].venue; }
  // Meetings of p on day d.
  int day_load(int p, int d) const { return day_load_[p * model_.days + d]; }
  int changes(int p) const { return changes_[p]; }
  const std::vector<int>& in_slot(int s) const { return in_slot_[s]; }
  std::int64_t weight() const { return weight_; }
  int placed() const { return placed_; }
  long long total_breaks() const { return total_breaks_; }
  long long total_changes() const { return total_changes_; }
  int max_breaks() const;
  int min_breaks() const;
  // Participants that have exactly b breaks now.
  int with_breaks(int b) const { return breaks_histogram_[b]; }
  // Squares of the breaks beyond min + d, summed over participants: 0 exactly when fairness
  // holds; it falls with every break taken from a participant above the bound, most for the
  // participants with the most (the fairness repair follows it: the excess itself only moves
  // when the last participant at the max improves).
  long long breaks_over_bound() const;
  Score score() const;

  // Whether unplaced meeting m fits slot s now (every hard constraint).
  bool fits(int m, int s) const { return blocked_by(m, s) == Block::kNone; }
  // The first hard constraint that keeps unplaced m out of s.
  Block blocked_by(int m, int s) const;

  // place() requires fits(); both record themselves in the journal.
  void place(int m, int s);
  void remove(int m);
  std::size_t mark() const { return journal_.size(); }
  void undo_to(std::size_t mark);
  void forget_journal() { journal_.clear(); }

 private:
  // Slot s of p turned busy or free, or (still busy) changed venue from old_venue: brings
  // breaks and changes up to date from s's neighbours in its day only.
  void update_around(int p, int s, bool was_busy, int old_venue);
  int busy_before(int p, int s) const;  // p's last busy slot of s's day before s; -1 none
  int busy_after(int p, int s) const;   // p's first busy slot of s's day after s; -1 none
  void apply_place(int m, int s);
  void apply_remove(int m);

  const Model& model_;
  std::vector<int> slot_;  // per meeting, -1 unplaced
  // Participants x slots: meetings there and their venue (meaningful while load > 0), side
  // by side so that one cache line serves both.
  struct Cell {
    int load = 0;
    int venue = -1;
  };
  std::vector<Cell> cells_;
  std::vector<std::uint64_t> busy_;  // per participant, when model_.slot_masks: load > 0
  std::vector<int> day_load_;        // participants x days: meetings that day
  std::vector<int> table_use_;       // venues x slots
  std::vector<int> interpreter_use_;
  std::vector<std::vector<int>> in_slot_;
  std::vector<int> position_;  // index of a placed meeting in in_slot_
  std::vector<int> breaks_;
  std::vector<int> changes_;
  std::vector<int> breaks_histogram_;  // participants per break count
  std::int64_t weight_ = 0;
  std::int64_t fixed_weight_ = 0;  // of the placed meetings with a fixed slot
  int placed_ = 0;
  long long total_breaks_ = 0;
  long long total_changes_ = 0;
  std::vector<std::pair<int, int>> journal_;  // (meeting, slot before the change)
};

}  // namespace sangdam::schedule::search
