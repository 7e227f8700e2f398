// Internal to matching/scoring: the pair kernel, the one piece of code that turns the features
// of a buyer and a company into component values. The all-pairs loop, the row/column rescoring
// and score_pair() all call it, so a listed score is bit for bit the score a pair explains.
//
// The loop reads compact "lanes" (about 100 bytes per participant) instead of the full
// features (about 350 bytes, with heap-held text vectors): a row of 5,000 companies stays in
// L2. Lanes keep the first 64 taxonomy codes; a taxonomy with more codes takes the wide path,
// which reads the category sets from the full features.
#pragma once

#include <algorithm>
#include <cstdint>

#include "matching/scoring/index_state.hpp"

namespace sangdam::scoring {

// How well a cluster type suits a market tier (MISSION.md: production-centred clusters for
// developing markets, hospital- and research-centred for catching-up ones, full-cycle for
// innovation leaders). Rows: ClusterType; columns: MarketTier.
inline constexpr float kClusterTierFit[4][3] = {
    {1.0f, 0.5f, 0.2f},  // production
    {0.4f, 1.0f, 0.6f},  // hospital
    {0.3f, 1.0f, 0.7f},  // research
    {0.5f, 0.7f, 1.0f},  // full cycle
};

// How well a buyer type suits a cluster type: trade buyers source from production clusters,
// hospitals from hospital clusters, investors and governments from research and full-cycle
// ones. Rows: BuyerType; columns: ClusterType.
inline constexpr float kBuyerTypeFit[8][4] = {
    {1.0f, 0.5f, 0.4f, 0.8f},  // distributor
    {1.0f, 0.5f, 0.4f, 0.8f},  // importer
    {0.5f, 1.0f, 0.8f, 0.8f},  // hospital
    {1.0f, 0.3f, 0.3f, 0.6f},  // retailer
    {0.5f, 0.8f, 0.8f, 1.0f},  // government
    {0.4f, 0.6f, 1.0f, 1.0f},  // investor
    {1.0f, 0.4f, 0.7f, 0.7f},  // manufacturer
    {0.6f, 0.6f, 0.6f, 0.6f},  // other
};

BuyerLane lane_of(const BuyerFeatures& features);
CompanyLane lane_of(const CompanyFeatures& features);

// Category value from which of the buyer's sets meet which of the company's (docs/matching.md):
// same code, the buyer's broad code covers the company's, keywords in the buyer's text, same
// branch. Written as selects so that the all-pairs loop has no branch here.
inline float category_value(const PairRules& config, bool same, bool broad, bool keyword,
                            bool branch) {
  const float partial = std::max(keyword ? config.keyword_category_fit : 0.0f,
                                 branch ? config.branch_category_fit : 0.0f);
  return same ? 1.0f : (broad ? config.broad_category_fit : partial);
}

// Taxonomies of at most 64 codes: the lanes hold every category bit.
inline float narrow_category(const PairRules& config, const BuyerLane& b, const CompanyLane& c) {
  return category_value(config, (b.exact & c.exact) != 0, (b.exact & c.ancestors) != 0,
                        (b.keyword & c.ancestors) != 0, (b.branch & c.branch) != 0);
}

// Larger taxonomies: the full category sets, `words` of them in use.
inline float wide_category(const PairRules& config, const BuyerFeatures& b,
                           const CompanyFeatures& c, std::size_t words) {
  return category_value(
      config, intersects(b.exact, c.exact, words), intersects(b.exact, c.ancestors, words),
      intersects(b.keyword, c.ancestors, words), intersects(b.branch, c.branch, words));
}

// Component values of one pair given its category value and text similarity.
inline PairValues pair_values(const PairRules& config, const BuyerLane& b, const CompanyLane& c,
                              float category, float text) {
  PairValues v;
  auto& value = v.value;
  value[static_cast<std::size_t>(Component::kCategory)] = category;
  value[static_cast<std::size_t>(Component::kText)] = std::min(1.0f, text);

  float target = config.unknown_fit;
  if (c.has_targets && b.country != kNoCountry) target = c.targets.test(b.country) ? 1.0f : 0.0f;
  value[static_cast<std::size_t>(Component::kMarketTarget)] = target;

  float marks = 1.0f;
  if (b.inverse_required != 0) {
    int held = 0;
    if (b.required_id_count > 0) {
      for (std::uint8_t i = 0; i < b.required_id_count; ++i)
        held += c.marks.test(b.required_ids[i]);
    } else {
      held = count_common(b.required_marks, c.marks);
    }
    marks = static_cast<float>(held) * b.inverse_required;
  }
  value[static_cast<std::size_t>(Component::kMarks)] = marks;

  value[static_cast<std::size_t>(Component::kClusterTier)] =
      c.cluster == kUnknown || b.tier == kUnknown ? config.unknown_fit
                                                  : kClusterTierFit[c.cluster][b.tier];

  float language = config.unknown_fit;
  if (b.speaks && c.speaks) {
    if (intersects(b.languages, c.languages)) {
      language = 1;
    } else if (intersects(b.reachable, c.languages)) {
      language = config.interpreter_fit;
    } else {
      language = 0;
      v.language_gap = true;
    }
  }
  value[static_cast<std::size_t>(Component::kLanguage)] = language;

  value[static_cast<std::size_t>(Component::kBuyerType)] =
      c.cluster == kUnknown ? config.unknown_fit : kBuyerTypeFit[b.type][c.cluster];

  float deal = config.unknown_fit;
  if (b.budget_usd >= 0 && c.min_deal_usd >= 0) {
    deal = b.budget_usd >= c.min_deal_usd ? 1.0f : b.budget_usd / c.min_deal_usd;
  }
  value[static_cast<std::size_t>(Component::kDealSize)] = deal;
  return v;
}

// Both side scores of a pair before wishes; kRemoved when the language filter takes it out.
struct SideScores {
  float buyer;
  float company;
};

inline SideScores side_scores(const PairRules& rules, const PairValues& v) {
  if (v.language_gap && rules.require_common_language) return {kRemoved, kRemoved};
  return {side_score(rules.buyer_points, v), side_score(rules.company_points, v)};
}

}  // namespace sangdam::scoring
