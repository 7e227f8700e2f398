#include <catch2/catch.hpp>

#include <random>
#include <vector>

#include "matching/scoring/top_k.hpp"

using namespace sangdam::scoring;

// Offers in ascending counterpart order with many equal scores: the buffered keepers must keep
// exactly what the heap keeper keeps (score first, then the lower counterpart).
TEST_CASE("top-k buffers keep what the heap keeps, ties included") {
  std::mt19937 rng(5);
  for (const std::size_t k : {1u, 2u, 7u, 36u}) {
    for (int round = 0; round < 50; ++round) {
      const int levels = 1 + static_cast<int>(rng() % 6);  // few distinct scores: many ties
      TopKeeper heap(k);
      TopBuffer buffer(k);
      CompanyKeepers keepers(3, 8, k);
      const std::uint32_t offers = rng() % 400;
      for (std::uint32_t counterpart = 0; counterpart < offers; ++counterpart) {
        const float score = static_cast<float>(rng() % levels) / 4.0f;
        heap.offer(counterpart, score);
        buffer.offer(counterpart, score);
        keepers.offer(1, counterpart, score);
      }
      const TopList expected = heap.take();
      CHECK(buffer.take() == expected);
      TopKeeper merged(k);
      for (const Ranked& r : keepers.kept(1)) merged.offer(r.counterpart, r.score);
      CHECK(merged.take() == expected);
      CHECK(keepers.kept(0).empty());
    }
  }
}
