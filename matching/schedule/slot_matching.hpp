// One slot of the construction in time order (internal to matching/schedule): which of the
// candidate meetings take place in the slot. The participants are covered in priority order
// with augmenting paths (the greedy of the matching matroid): a participant gets a meeting
// when some rearrangement of the meetings chosen so far gives it one without uncovering
// anyone covered before. A greedy pass over meetings leaves a participant idle whenever its
// partners were taken first; every idle slot of someone in the middle of a day is a break.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

#include "matching/schedule/search_state.hpp"

namespace sangdam::schedule::search {

class SlotMatching {
 public:
  explicit SlotMatching(const Model& model);

  // Meetings for slot s among `candidates` (each fits s in `state`, which holds nothing else
  // in s that they compete with), covering participants by descending `priority` (per
  // participant); a participant's meetings are tried by descending `preference` (per
  // meeting). Within the room each participant, venue and interpreter pool has left in s.
  std::vector<int> choose(int s, const std::vector<int>& candidates,
                          const std::vector<double>& priority,
                          const std::vector<double>& preference, const State& state);

 private:
  bool augment(int x);
  bool add(int m);
  void drop(int m);
  void set(int m, bool in);  // takes m in or out, without the journal
  void undo_to(std::size_t mark);
  int other(int m, int q) const {
    return model_.first[m] == q ? model_.second[m] : model_.first[m];
  }

  const Model& model_;
  std::vector<int> room_;  // per participant: meetings it can still take in the slot
  std::vector<int> need_;  // per participant: meetings the matching must keep giving it
  std::vector<int> seen_;  // per participant: search stamp of the last visit
  int stamp_ = 0;
  int steps_ = 0;                  // visits in the current augmentation
  std::vector<int> option_begin_;  // per participant: its candidates in options_
  std::vector<int> options_;
  std::vector<std::vector<int>> held_;         // per participant: its chosen meetings
  std::vector<int> venue_room_;                // per venue: free tables in the slot
  std::vector<int> language_room_;             // per language: free interpreters in the slot
  std::vector<char> chosen_;                   // per meeting
  std::vector<std::pair<int, bool>> journal_;  // (meeting, added)
};

}  // namespace sangdam::schedule::search
