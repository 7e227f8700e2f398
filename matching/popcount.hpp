// Bits set in a 64-bit word, for the hot loops of scoring and scheduling. std::popcount
// compiles to a library call unless the build targets a CPU with POPCNT (the default x86-64
// target does not); this is a dozen inline instructions. Pure.
#pragma once

#include <cstdint>

namespace sangdam {

constexpr int popcount64(std::uint64_t w) {
  w = w - ((w >> 1) & 0x5555555555555555ULL);
  w = (w & 0x3333333333333333ULL) + ((w >> 2) & 0x3333333333333333ULL);
  w = (w + (w >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
  return static_cast<int>((w * 0x0101010101010101ULL) >> 56);
}
static_assert(popcount64(0) == 0 && popcount64(~std::uint64_t{0}) == 64 &&
              popcount64(0x8000000000000101ULL) == 3);

}  // namespace sangdam
