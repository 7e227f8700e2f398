// Fixed-size bit sets for the scoring inner loop: a pair test is a few AND instructions.
#pragma once

#include <array>
#include <bit>
#include <compare>
#include <cstddef>
#include <cstdint>

#include "matching/popcount.hpp"

namespace sangdam::scoring {

template <std::size_t Words>
struct Bits {
  static constexpr std::size_t kCapacity = Words * 64;
  std::array<std::uint64_t, Words> words{};

  void set(std::size_t i) { words[i / 64] |= std::uint64_t{1} << (i % 64); }
  bool test(std::size_t i) const { return (words[i / 64] >> (i % 64)) & 1; }
  bool none() const {
    for (auto w : words) {
      if (w != 0) return false;
    }
    return true;
  }
  int count() const {
    int n = 0;
    for (auto w : words) n += popcount64(w);
    return n;
  }
  friend auto operator<=>(const Bits&, const Bits&) = default;  // keys of ordered maps
  Bits& operator|=(const Bits& other) {
    for (std::size_t i = 0; i < Words; ++i) words[i] |= other.words[i];
    return *this;
  }
};

template <std::size_t Words>
bool intersects(const Bits<Words>& a, const Bits<Words>& b) {
  std::uint64_t any = 0;
  for (std::size_t i = 0; i < Words; ++i) any |= a.words[i] & b.words[i];
  return any != 0;
}

// Only the first `used` words: the taxonomy rarely fills the category set's capacity.
template <std::size_t Words>
bool intersects(const Bits<Words>& a, const Bits<Words>& b, std::size_t used) {
  std::uint64_t any = 0;
  for (std::size_t i = 0; i < used; ++i) any |= a.words[i] & b.words[i];
  return any != 0;
}

template <std::size_t Words>
int count_common(const Bits<Words>& a, const Bits<Words>& b) {
  int n = 0;
  for (std::size_t i = 0; i < Words; ++i) n += popcount64(a.words[i] & b.words[i]);
  return n;
}

// Calls f(i) for every set bit i, ascending.
template <std::size_t Words, class F>
void for_each_bit(const Bits<Words>& set, F&& f) {
  for (std::size_t w = 0; w < Words; ++w) {
    for (std::uint64_t bits = set.words[w]; bits != 0; bits &= bits - 1) {
      f(w * 64 + static_cast<std::size_t>(std::countr_zero(bits)));
    }
  }
}

}  // namespace sangdam::scoring
