// Keeps the best k entries of a stream of (counterpart, score) offers: a bounded heap whose
// top is the worst kept entry, so a rejected offer costs one comparison.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
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

// A 64-bit key that orders entries like ranks_before (a greater key ranks first): the score's
// bits made monotonic in the high half (+0 for a zero of either sign), the counterpart
// inverted in the low half. Sorting keys compares integers: no two-key branches.
inline std::uint64_t rank_key(const Ranked& entry) {
  const float score = entry.score == 0.0f ? 0.0f : entry.score;
  std::uint32_t bits;
  std::memcpy(&bits, &score, sizeof bits);
  bits = (bits & 0x80000000u) != 0 ? ~bits : (bits | 0x80000000u);
  return (std::uint64_t{bits} << 32) | (0xFFFFFFFFu - entry.counterpart);
}
inline Ranked from_rank_key(std::uint64_t key) {
  auto bits = static_cast<std::uint32_t>(key >> 32);
  bits = (bits & 0x80000000u) != 0 ? (bits & 0x7FFFFFFFu) : ~bits;
  Ranked entry;
  std::memcpy(&entry.score, &bits, sizeof bits);
  entry.counterpart = 0xFFFFFFFFu - static_cast<std::uint32_t>(key);
  return entry;
}

// Moves the best k of the n > k entries at `first` to the front (in no particular order) and
// returns the k-th best score, through their keys. keys: room for n.
inline float select_best(Ranked* first, std::size_t n, std::size_t k, std::uint64_t* keys) {
  for (std::size_t i = 0; i < n; ++i) keys[i] = rank_key(first[i]);
  std::nth_element(keys, keys + (k - 1), keys + n, std::greater<std::uint64_t>{});
  for (std::size_t i = 0; i < k; ++i) first[i] = from_rank_key(keys[i]);
  return first[k - 1].score;
}

// Sorts entries best first (ranks_before), through their keys.
inline void sort_ranked(std::vector<Ranked>& entries, std::vector<std::uint64_t>& keys) {
  keys.resize(entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) keys[i] = rank_key(entries[i]);
  std::sort(keys.begin(), keys.end(), std::greater<std::uint64_t>{});
  for (std::size_t i = 0; i < entries.size(); ++i) entries[i] = from_rank_key(keys[i]);
}

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
    sort_ranked(entries_, keys_);
    return std::move(entries_);
  }

 private:
  void keep_best() {
    if (entries_.size() <= k_) return;
    keys_.resize(entries_.size());
    floor_ = select_best(entries_.data(), entries_.size(), k_, keys_.data());
    entries_.resize(k_);
  }

  std::size_t k_;
  float floor_ = kRemoved;
  std::vector<Ranked> entries_;
  std::vector<std::uint64_t> keys_;  // scratch of keep_best and take
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
    floors_[company] = select_best(first, sizes_[company], k_, keys_.data());
    sizes_[company] = static_cast<std::uint32_t>(k_);
  }

  std::size_t k_;
  std::vector<Ranked> entries_;
  std::vector<std::uint32_t> sizes_;
  std::vector<float> floors_;
  std::vector<std::uint64_t> keys_ = std::vector<std::uint64_t>(2 * k_);  // scratch
};

}  // namespace sangdam::scoring
