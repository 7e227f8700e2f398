// The knobs of match scoring, read from config/matching.json (docs/matching.md explains each).
#pragma once

#include <array>
#include <cstddef>
#include <map>
#include <string>
#include <string_view>

namespace sangdam::scoring {

// The explainable parts of a pair's score, in a fixed order (weights and values index by it).
enum class Component : std::size_t {
  kCategory,      // taxonomy fit: same leaf > buyer's broad code covers it > same branch
  kText,          // TF-IDF cosine of sought products vs offered products (Korean and English)
  kMarketTarget,  // the company targets the buyer's country
  kMarks,         // the company holds the marks the buyer's market and the buyer require
  kClusterTier,   // the company's cluster type suits the buyer market's tier
  kLanguage,      // a shared language, or an interpreter for the pair at the event
  kBuyerType,     // the buyer's type suits the company's cluster (hospital buyer, hospital cluster)
  kDealSize,      // the buyer's budget reaches the company's minimum deal
};
inline constexpr std::size_t kComponentCount = 8;

// "category", "text", "market_target", "marks", "cluster_tier", "language", "buyer_type",
// "deal_size": the keys in config/matching.json and the names reasons carry.
std::string_view component_name(Component component);

using Weights = std::array<float, kComponentCount>;

struct MatchConfig {
  // Per side: a buyer's list ranks by buyer_weights, a company's leads by company_weights.
  // Each side's score is 100 * sum(weight * value) / sum(weights), values in [0, 1].
  Weights buyer_weights{30, 25, 10, 10, 5, 10, 5, 5};
  Weights company_weights{25, 20, 10, 10, 5, 10, 10, 10};
  std::size_t top_k = 20;        // list length kept per participant
  std::size_t reasons_kept = 3;  // reasons returned per pair
  // Hard filters: a removed pair appears in no list.
  bool require_common_language = true;  // no shared language and no interpreter -> removed
  bool remove_no_thanks = true;
  bool remove_met_before = true;
  // Partial credits.
  float interpreter_fit = 0.8f;       // language value when only an interpreter bridges the pair
  float broad_category_fit = 0.8f;    // buyer named the branch, company sells a leaf of it
  float branch_category_fit = 0.5f;   // sibling leaves of one branch
  float keyword_category_fit = 0.6f;  // buyer's text names a category's keywords (en or ko)
  float unknown_fit = 0.5f;           // value when a side did not say (no budget, no cluster)
  // Must-meet: the buyer's side score of the pair becomes must_meet_score; the company's side
  // gains must_meet_company_bonus (capped at 100).
  float must_meet_score = 100;
  float must_meet_company_bonus = 10;
  // Mutual score for the scheduler: buyer^w * company^(1 - w) (weighted geometric mean).
  float mutual_buyer_weight = 0.5f;
  // Conversion of budgets and minimum deals into one currency to compare them; a currency
  // not listed makes the deal-size value unknown_fit.
  std::map<std::string, double, std::less<>> usd_per_unit{
      {"USD", 1.0}, {"KRW", 0.00075}, {"EUR", 1.08}, {"JPY", 0.0068}, {"CNY", 0.14}};
};

// Parses config/matching.json text. Keys left out keep the defaults above. Throws
// sangdam::Error(kInvalidArgument, reason, message, field) on malformed JSON, unknown keys,
// negative weights, a side whose weights sum to zero, or a value out of range.
MatchConfig parse_match_config(std::string_view json_text);

}  // namespace sangdam::scoring
