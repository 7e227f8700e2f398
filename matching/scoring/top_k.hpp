// Keeps the best k entries of a stream of (counterpart, score) offers: a bounded heap whose
// top is the worst kept entry, so a rejected offer costs one comparison.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "matching/scoring/match_index.hpp"

namespace sangdam::scoring {

// The one order of every list: higher score first, then lower counterpart index, so that
// lists are identical however the work was split between threads.
inline bool ranks_before(const Ranked& a, const Ranked& b) {
  return a.score > b.score || (a.score == b.score && a.counterpart < b.counterpart);
}

// The same order as a function object, so that heap algorithms inline it.
struct RanksBefore {
  bool operator()(const Ranked& a, const Ranked& b) const { return ranks_before(a, b); }
};

class TopKeeper {
 public:
  explicit TopKeeper(std::size_t k) : k_(k) { heap_.reserve(k); }

  void offer(std::uint32_t counterpart, float score) {
    const Ranked entry{counterpart, score};
    if (heap_.size() < k_) {
      heap_.push_back(entry);
      std::push_heap(heap_.begin(), heap_.end(), RanksBefore{});
    } else if (k_ > 0 && ranks_before(entry, heap_.front())) {
      std::pop_heap(heap_.begin(), heap_.end(), RanksBefore{});
      heap_.back() = entry;
      std::push_heap(heap_.begin(), heap_.end(), RanksBefore{});
    }
  }
  bool full() const { return heap_.size() >= k_; }
  const Ranked& worst() const { return heap_.front(); }
  const std::vector<Ranked>& entries() const { return heap_; }  // heap order
  // The kept entries, best first; the keeper is left empty.
  TopList take() {
    std::sort(heap_.begin(), heap_.end(), RanksBefore{});
    return std::move(heap_);
  }

 private:
  std::size_t k_;
  std::vector<Ranked> heap_;
};

}  // namespace sangdam::scoring
