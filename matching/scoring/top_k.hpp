// Keeps the best k entries of a stream of (counterpart, score) offers: a bounded heap whose
// top is the worst kept entry, so a rejected offer costs one comparison.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "matching/scoring/index_state.hpp"
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

// The best k entries of offers that arrive in ascending counterpart order, for the all-pairs
// loop: an offer above the floor is appended; when 2k have gathered, the best k are selected
// (nth_element) and the floor rises to the worst of them. Amortised O(1) per offer where a heap
// pays O(log k). Keeps what TopKeeper keeps: an offer equal to the floor comes after the entry
// that set it, so it ranks after it and rightly stays out.
class TopBuffer {
 public:
  explicit TopBuffer(std::size_t k) : k_(k) {
    entries_.reserve(2 * k);
    if (k == 0) floor_ = std::numeric_limits<float>::infinity();
  }

  // Offers at or below the floor can never be kept; callers filter with it.
  float floor() const { return floor_; }
  void offer(std::uint32_t counterpart, float score) {
    if (!(score > floor_)) return;
    entries_.push_back(Ranked{counterpart, score});
    if (entries_.size() >= 2 * k_) keep_best();
  }
  // The kept entries, best first; at most k.
  TopList take() {
    keep_best();
    std::sort(entries_.begin(), entries_.end(), RanksBefore{});
    return std::move(entries_);
  }

 private:
  void keep_best() {
    if (entries_.size() <= k_) return;
    const auto kth = entries_.begin() + static_cast<std::ptrdiff_t>(k_ - 1);
    std::nth_element(entries_.begin(), kth, entries_.end(), RanksBefore{});
    floor_ = kth->score;
    entries_.resize(k_);
  }

  std::size_t k_;
  float floor_ = kRemoved;
  std::vector<Ranked> entries_;
};

// One TopBuffer per company, for one thread of the full recompute, in one block of memory:
// company c's entries sit at [c * 2k, c * 2k + size(c)), so an offer touches one cache-line
// neighbourhood instead of chasing a vector per company. floors() lie side by side for the
// eight-at-a-time filter (padded entries stay kRemoved and never pass).
class CompanyKeepers {
 public:
  CompanyKeepers(std::size_t companies, std::size_t padded, std::size_t k)
      : k_(k),
        entries_(companies * 2 * k),
        sizes_(companies, 0),
        floors_(padded, k == 0 ? std::numeric_limits<float>::infinity() : kRemoved) {}

  const float* floors() const { return floors_.data(); }

  // Pools floors with the keepers of the other threads (the caller serialises calls): a floor
  // says that k counterparts score at least that much, so it prunes for every keeper of the
  // company. Offers equal to another keeper's floor still pass (they may rank before its
  // entries by counterpart), so that floor counts from just below. Pruning takes out only
  // pairs no keeper would keep in the end: the merged rankings are the same.
  void pool_floors(std::vector<float>& pooled) {
    for (std::size_t c = 0; c < pooled.size(); ++c) {
      pooled[c] = std::max(pooled[c], floors_[c]);
      const float below = std::nextafter(pooled[c], -std::numeric_limits<float>::infinity());
      floors_[c] = std::max(floors_[c], below);
    }
  }

  void offer(std::uint32_t company, std::uint32_t counterpart, float score) {
    if (!(score > floors_[company])) return;
    Ranked* first = entries_.data() + company * 2 * k_;
    first[sizes_[company]++] = Ranked{counterpart, score};
    if (sizes_[company] == 2 * k_) keep_best(company);
  }
  // Company c's kept entries (at most k, in no particular order).
  std::span<const Ranked> kept(std::uint32_t company) {
    keep_best(company);
    return {entries_.data() + company * 2 * k_, sizes_[company]};
  }

 private:
  void keep_best(std::uint32_t company) {
    if (sizes_[company] <= k_) return;
    Ranked* first = entries_.data() + company * 2 * k_;
    Ranked* kth = first + (k_ - 1);
    std::nth_element(first, kth, first + sizes_[company], RanksBefore{});
    floors_[company] = kth->score;
    sizes_[company] = static_cast<std::uint32_t>(k_);
  }

  std::size_t k_;
  std::vector<Ranked> entries_;
  std::vector<std::uint32_t> sizes_;
  std::vector<float> floors_;
};

}  // namespace sangdam::scoring
