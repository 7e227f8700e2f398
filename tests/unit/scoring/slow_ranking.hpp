// The reference the fast paths of matching/scoring are checked against: every list ranked the
// slow way, one score_pair() per pair, same order and same K.
#pragma once

#include <algorithm>
#include <utility>
#include <vector>

#include "matching/scoring/match_index.hpp"

namespace sangdam::scoring::testing {

inline std::pair<std::vector<TopList>, std::vector<TopList>> slow_ranking(const MatchIndex& index) {
  const std::size_t k = index.context().config.top_k;
  std::vector<TopList> buyers(index.buyer_count());
  std::vector<TopList> companies(index.company_count());
  for (std::size_t b = 0; b < index.buyer_count(); ++b) {
    for (std::size_t c = 0; c < index.company_count(); ++c) {
      const PairScore s = index.score_pair(b, c);
      if (s.removed) continue;
      buyers[b].push_back({static_cast<std::uint32_t>(c), static_cast<float>(s.buyer_score)});
      companies[c].push_back({static_cast<std::uint32_t>(b), static_cast<float>(s.company_score)});
    }
  }
  auto order = [](const Ranked& a, const Ranked& b) {
    return a.score > b.score || (a.score == b.score && a.counterpart < b.counterpart);
  };
  for (auto* lists : {&buyers, &companies}) {
    for (auto& list : *lists) {
      std::sort(list.begin(), list.end(), order);
      if (list.size() > k) list.resize(k);
    }
  }
  return {buyers, companies};
}

}  // namespace sangdam::scoring::testing
