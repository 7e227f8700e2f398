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

TEST_CASE("rank keys order entries like ranks_before and give them back unchanged") {
  const std::vector<float> scores = {-1.0f, -0.0f, 0.0f,  1e-30f, 0.25f,
                                     0.5f,  1.0f,  99.5f, 100.0f, 3.4e38f};
  std::vector<Ranked> entries;
  for (const float score : scores) {
    for (const std::uint32_t counterpart : {0u, 1u, 7u, 0xFFFFFFFEu}) {
      entries.push_back(Ranked{counterpart, score});
    }
  }
  for (const Ranked& a : entries) {
    const Ranked back = from_rank_key(rank_key(a));
    CHECK(back.counterpart == a.counterpart);
    CHECK(back.score == a.score);
    for (const Ranked& b : entries) {
      CHECK((rank_key(a) > rank_key(b)) == ranks_before(a, b));
    }
  }
}
