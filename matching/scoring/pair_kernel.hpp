// Internal to matching/scoring: the pair kernel, the one piece of code that turns the features
// of a buyer and a company into component values. The all-pairs loop, the row/column rescoring
// and score_pair() all call it, so a listed score is bit for bit the score a pair explains.
//
// The loop reads compact "lanes" (about 60 bytes per participant) instead of the full
// features (about 350 bytes, with heap-held text vectors): a row of 5,000 companies stays in
// L2. Lanes name the participant's classes (distinct category, language and mark sets), whose
// values a row or column computes once.
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

// The keys of a profile's category and language classes.
inline BuyerCategories categories_of(const BuyerFeatures& f) {
  return {f.exact, f.branch, f.keyword};
}
inline CompanyCategories categories_of(const CompanyFeatures& f) {
  return {f.exact, f.ancestors, f.branch};
}
inline BuyerLanguages languages_of(const BuyerFeatures& f) {
  return {f.languages, f.reachable};
}

// Lanes of a profile's features; interns their classes.
BuyerLane lane_of(IndexState& s, const BuyerFeatures& features);
CompanyLane lane_of(IndexState& s, const CompanyFeatures& features);

// The component functions. The loops do not call them per pair: a row (one buyer) fills small
// tables by company class (category, marks, languages) and cluster, a column (one company) by
// buyer class, tier and type, and each pair looks its values up. score_pair() calls them
// directly, so a listed score and an explained score are the same float.

// Category value (docs/matching.md) from which of the four overlaps hold: same code, the
// buyer's broad code covers the company's, keywords in the buyer's text, same branch.
enum CategoryOverlap : std::uint8_t {
  kSameCode = 1,
  kBroadCode = 2,
  kKeywordCode = 4,
  kSameBranch = 8,
  kCategoryOverlaps = 16,  // distinct combinations
};

inline float category_value(const PairRules& config, std::uint8_t overlaps) {
  if (overlaps & kSameCode) return 1.0f;
  if (overlaps & kBroadCode) return config.broad_category_fit;
  float category = 0;
  if (overlaps & kKeywordCode) category = config.keyword_category_fit;
  if (overlaps & kSameBranch) category = std::max(category, config.branch_category_fit);
  return category;
}

// `words`: words of the sets the taxonomy uses.
inline std::uint8_t category_overlaps(const BuyerCategories& b, const CompanyCategories& c,
                                      std::size_t words) {
  std::uint8_t overlaps = 0;
  if (intersects(b.exact, c.exact, words)) overlaps |= kSameCode;
  if (intersects(b.exact, c.ancestors, words)) overlaps |= kBroadCode;
  if (intersects(b.keyword, c.ancestors, words)) overlaps |= kKeywordCode;
  if (intersects(b.branch, c.branch, words)) overlaps |= kSameBranch;
  return overlaps;
}

inline float category_value(const PairRules& config, const BuyerCategories& b,
                            const CompanyCategories& c, std::size_t words) {
  return category_value(config, category_overlaps(b, c, words));
}

inline float marks_value(const SmallSet& required, float inverse_required, const SmallSet& held) {
  if (inverse_required == 0) return 1.0f;  // nothing required
  return static_cast<float>(count_common(required, held)) * inverse_required;
}

inline float cluster_tier_value(const PairRules& config, std::int8_t cluster, std::int8_t tier) {
  return cluster == kUnknown || tier == kUnknown ? config.unknown_fit
                                                 : kClusterTierFit[cluster][tier];
}

struct LanguageFit {
  float value;
  bool gap;  // no shared language and no interpreter: the hard filter may remove the pair
};

inline LanguageFit language_fit(const PairRules& config, const BuyerLanguages& b,
                                const SmallSet& company) {
  if (b.spoken.none() || company.none()) return {config.unknown_fit, false};
  if (intersects(b.spoken, company)) return {1.0f, false};
  if (intersects(b.reachable, company)) return {config.interpreter_fit, false};
  return {0.0f, true};
}

inline float buyer_type_value(const PairRules& config, std::uint8_t type, std::int8_t cluster) {
  return cluster == kUnknown ? config.unknown_fit : kBuyerTypeFit[type][cluster];
}

// The looked-up components of one pair.
struct TableValues {
  float category;
  float marks;
  float cluster_tier;
  LanguageFit language;
  float buyer_type;
};

// Component values of one pair from its looked-up values, the text similarity and the lanes
// (market target and deal size are computed here). Inlined into the loops, where one side's
// fields stay in registers.
[[gnu::always_inline]] inline PairValues pair_values(const PairRules& config, const BuyerLane& b,
                                                     const CompanyLane& c, float text,
                                                     const TableValues& looked_up) {
  PairValues v;
  auto& value = v.value;
  value[static_cast<std::size_t>(Component::kCategory)] = looked_up.category;
  value[static_cast<std::size_t>(Component::kText)] = std::min(1.0f, text);

  float target = config.unknown_fit;
  if (c.has_targets && b.country != kNoCountry) target = c.targets.test(b.country) ? 1.0f : 0.0f;
  value[static_cast<std::size_t>(Component::kMarketTarget)] = target;

  value[static_cast<std::size_t>(Component::kMarks)] = looked_up.marks;
  value[static_cast<std::size_t>(Component::kClusterTier)] = looked_up.cluster_tier;
  value[static_cast<std::size_t>(Component::kLanguage)] = looked_up.language.value;
  v.language_gap = looked_up.language.gap;
  value[static_cast<std::size_t>(Component::kBuyerType)] = looked_up.buyer_type;

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

[[gnu::always_inline]] inline SideScores side_scores(const PairRules& rules, const PairValues& v) {
  if (v.language_gap && rules.require_common_language) return {kRemoved, kRemoved};
  return {side_score(rules.buyer_points, v), side_score(rules.company_points, v)};
}

}  // namespace sangdam::scoring
