// Internal to matching/scoring: the precomputed features of every profile and the pair kernel
// shared by the full recompute, the row/column rescoring and the explanation of one pair.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "matching/scoring/bits.hpp"
#include "matching/scoring/match_index.hpp"
#include "matching/text/tfidf.hpp"

namespace sangdam::scoring {

using CategorySet = Bits<8>;  // up to 512 taxonomy codes
using SmallSet = Bits<2>;     // up to 128 languages or marks of one event
using CountrySet = Bits<4>;   // up to 256 countries (ISO 3166-1 has 249)

inline constexpr float kRemoved = -1.0f;  // score of a pair a filter or wish took out
inline constexpr std::uint16_t kNoCountry = std::numeric_limits<std::uint16_t>::max();
inline constexpr std::int8_t kUnknown = -1;

// 1 / number of marks in the set, 0 for none: the share one held mark is worth.
inline float inverse_count(const SmallSet& marks) {
  const int n = marks.count();
  return n == 0 ? 0.0f : 1.0f / static_cast<float>(n);
}

// Wishes of a buyer about one company, as bits (a buyer may list a company more than once).
enum WishBits : std::uint8_t { kMustMeet = 1, kNoThanks = 2, kMetBefore = 4 };

struct BuyerFeatures {
  CategorySet exact;           // codes the buyer named
  CategorySet branch;          // top-level branches of those codes
  CategorySet keyword;         // codes whose keywords the buyer's text names
  SmallSet languages;          // spoken
  SmallSet reachable;          // reachable through an interpreter of the event
  SmallSet required_marks;     // the market's marks and the buyer's own
  float inverse_required = 0;  // inverse_count(required_marks)
  std::uint16_t country = kNoCountry;
  std::int8_t tier = kUnknown;  // MarketTier of the buyer's country
  std::uint8_t type = 0;        // BuyerType
  float budget_usd = -1;        // budget_max (else budget_min) in USD; < 0 unknown
  text::TermVector text;
  std::vector<std::pair<std::uint32_t, std::uint8_t>> wishes;  // company index -> WishBits
};

struct CompanyFeatures {
  CategorySet exact;      // codes offered
  CategorySet ancestors;  // those codes and every ancestor
  CategorySet branch;     // top-level branches
  CountrySet targets;
  bool has_targets = false;
  SmallSet marks;  // the firm's and its products' marks
  SmallSet languages;
  std::int8_t cluster = kUnknown;  // ClusterType, kUnknown for ClusterType::kUnknown
  float min_deal_usd = -1;         // < 0 unknown
  text::TermVector text;
};

// What decides the category value on each side (the keys of category classes).
struct BuyerCategories {
  CategorySet exact;
  CategorySet branch;
  CategorySet keyword;
  friend auto operator<=>(const BuyerCategories&, const BuyerCategories&) = default;
};
struct CompanyCategories {
  CategorySet exact;
  CategorySet ancestors;
  CategorySet branch;
  friend auto operator<=>(const CompanyCategories&, const CompanyCategories&) = default;
};
// What decides the language value on the buyer's side.
struct BuyerLanguages {
  SmallSet spoken;
  SmallSet reachable;
  friend auto operator<=>(const BuyerLanguages&, const BuyerLanguages&) = default;
};

// Distinct values of one feature of one side: participants with equal values share a class,
// so a row or column computes that component once per class and each pair looks it up.
// Classes only grow: one per distinct set seen since the index was built.
template <class Key>
class Classes {
  static_assert(std::has_unique_object_representations_v<Key> && sizeof(Key) % 8 == 0,
                "class keys are hashed word by word");

 public:
  std::uint32_t intern(const Key& key) {
    const auto [at, added] = ids_.try_emplace(key, static_cast<std::uint32_t>(keys_.size()));
    if (added) keys_.push_back(key);
    return at->second;
  }
  const Key& key(std::uint32_t id) const { return keys_[id]; }
  std::size_t size() const { return keys_.size(); }

 private:
  // The key's 64-bit words, mixed (keys are bit sets: every bit counts, none is padding).
  struct Hash {
    std::size_t operator()(const Key& key) const {
      std::uint64_t hash = 0x9e3779b97f4a7c15ULL;
      for (std::size_t at = 0; at < sizeof(Key); at += 8) {
        std::uint64_t word;
        std::memcpy(&word, reinterpret_cast<const char*>(&key) + at, 8);
        hash = (hash ^ word) * 0xff51afd7ed558ccdULL;
        hash ^= hash >> 32;
      }
      return static_cast<std::size_t>(hash);
    }
  };

  std::vector<Key> keys_;
  std::unordered_map<Key, std::uint32_t, Hash> ids_;
};

// The part of a buyer's features the all-pairs loop reads, packed (pair_kernel.hpp).
struct BuyerLane {
  std::uint32_t category_class = 0;  // IndexState::buyer_categories
  std::uint32_t required_class = 0;  // IndexState::required_marks: the marks it requires
  std::uint32_t language_class = 0;  // IndexState::buyer_languages
  float budget_usd = -1;
  std::uint16_t country = kNoCountry;
  std::int8_t tier = kUnknown;
  std::uint8_t type = 0;
};

// The part of a company's features the all-pairs loop reads, packed (pair_kernel.hpp).
struct CompanyLane {
  CountrySet targets;
  std::uint32_t category_class = 0;  // IndexState::company_categories
  std::uint32_t mark_class = 0;      // IndexState::held_marks: the marks it holds
  std::uint32_t language_class = 0;  // IndexState::company_languages
  float min_deal_usd = -1;
  std::int8_t cluster = kUnknown;
  bool has_targets = false;
};

// A participant's ranking kept beyond the K entries it shows: the exact best entries of its
// counterparts (a prefix of the true ranking), up to K + reserve. When a counterpart leaves a
// full list, the next one is already known, so a change rarely needs a whole row or column
// rescored (docs/matching.md, "Performance").
struct RankedList {
  TopList entries;          // best first, the true top |entries|
  bool exhaustive = false;  // entries hold every candidate (fewer than the capacity exist)
};

// Names <-> small dense ids (languages, marks, countries, categories) with a fixed capacity.
class Universe {
 public:
  // what: plural noun for messages; reason: the error reason when capacity runs out.
  Universe(std::string what, std::string reason, std::size_t capacity)
      : what_(std::move(what)), reason_(std::move(reason)), capacity_(capacity) {}
  std::uint32_t intern(std::string_view name);  // throws kUnprocessable beyond capacity
  std::optional<std::uint32_t> find(std::string_view name) const { return names_.find(name); }
  std::string_view name(std::uint32_t id) const { return names_.term(id); }
  std::size_t size() const { return names_.size(); }

 private:
  std::string what_;
  std::string reason_;
  std::size_t capacity_;
  text::Vocabulary names_;  // the same name <-> id table as terms
};

struct Posting {
  std::uint32_t document;  // buyer or company index
  float weight;
};

struct KeywordRule {
  std::uint32_t category;           // bit of the category the keyword points to
  std::vector<text::TermId> terms;  // all must occur in the buyer's text
};

// Component values of one pair (each in [0, 1]) and whether the pair has no way to talk.
struct PairValues {
  std::array<float, kComponentCount> value{};
  bool language_gap = false;
};

// The knobs the pair kernel reads, copied out of MatchConfig (which also holds a map): the
// all-pairs loop keeps a local copy that no store into a score array can alias.
struct PairRules {
  Weights buyer_points{};  // weights rescaled so that they sum to 100
  Weights company_points{};
  float interpreter_fit = 0;
  float broad_category_fit = 0;
  float branch_category_fit = 0;
  float keyword_category_fit = 0;
  float unknown_fit = 0;
  bool require_common_language = true;
};

struct IndexState {
  MatchContext context;
  Weights buyer_points{};  // weights rescaled so that they sum to 100
  Weights company_points{};
  PairRules rules;  // from context.config and the points above
  std::vector<Buyer> buyers;
  std::vector<Company> companies;
  std::vector<BuyerFeatures> buyer_features;
  std::vector<CompanyFeatures> company_features;
  std::vector<BuyerLane> buyer_lanes;      // by buyer index, from buyer_features
  std::vector<CompanyLane> company_lanes;  // by company index, from company_features
  Classes<BuyerCategories> buyer_categories;
  Classes<CompanyCategories> company_categories;
  Classes<SmallSet> required_marks;  // marks buyers require
  Classes<SmallSet> held_marks;      // marks companies hold
  Classes<BuyerLanguages> buyer_languages;
  Classes<SmallSet> company_languages;
  std::unordered_map<std::string, std::uint32_t> buyer_keys;    // id and external_id
  std::unordered_map<std::string, std::uint32_t> company_keys;  // id and external_id
  Universe categories{"taxonomy codes", "too_many_categories", CategorySet::kCapacity};
  Universe languages{"languages", "too_many_languages", SmallSet::kCapacity};
  Universe marks{"certification marks", "too_many_marks", SmallSet::kCapacity};
  Universe countries{"countries", "too_many_countries", CountrySet::kCapacity};
  std::size_t category_words = 1;  // words of CategorySet the taxonomy uses
  // By category bit: the code and every ancestor, and the bit of its top-level branch (none
  // when the branch is not in the taxonomy), read once from the taxonomy.
  std::vector<CategorySet> category_lineage;
  std::vector<std::optional<std::uint32_t>> category_branch;
  std::vector<KeywordRule> keyword_rules;
  // term id -> rules whose first term it is: a buyer's text is checked only against the rules
  // its own terms can start, not against every rule of the taxonomy.
  std::vector<std::vector<std::uint32_t>> rules_by_first_term;
  // Interpreter pairs as language ids, interned after the first buyer's own languages (the
  // order the names were always interned in, which orders reason texts).
  std::optional<std::vector<std::pair<std::uint32_t, std::uint32_t>>> interpreter_ids;
  text::Vocabulary vocabulary;
  text::DocumentFrequencies frequencies;
  std::vector<std::vector<Posting>> company_postings;  // by term id
  std::vector<std::vector<Posting>> buyer_postings;    // by term id
  // company index -> (buyer index, WishBits): the column view of the buyers' wishes.
  std::vector<std::vector<std::pair<std::uint32_t, std::uint8_t>>> company_wishes;
  // Wishes naming a company not registered yet: its id -> buyers that named it.
  std::unordered_map<std::string, std::vector<std::uint32_t>> pending_wishes;
  std::vector<TopList> buyer_lists;  // what participants see: the first K of the rankings
  std::vector<TopList> company_lists;
  std::vector<RankedList> buyer_rankings;  // K + reserve entries, for list repair
  std::vector<RankedList> company_rankings;

  // Component values of one pair (the pair kernel, pair_kernel.hpp).
  PairValues values(std::uint32_t buyer, std::uint32_t company, float text) const;
  // TF-IDF similarities of one buyer with every company (by company index) and of one
  // company with every buyer, accumulated over postings into `text` (resized, reused).
  void row_text(std::uint32_t buyer, std::vector<float>& text) const;
  void column_text(std::uint32_t company, std::vector<float>& text) const;
};

// Score of one side: points are the weights rescaled to sum 100.
inline float side_score(const Weights& points, const PairValues& v) {
  float sum = 0;
  for (std::size_t i = 0; i < kComponentCount; ++i) sum += points[i] * v.value[i];
  return sum;
}

// Wishes applied to the two side scores of a not yet removed pair (docs/matching.md):
// no-thanks removes; met-before removes unless the buyer also asks to meet; must-meet lifts.
void apply_wishes(const MatchConfig& config, std::uint8_t wishes, float& buyer_score,
                  float& company_score);

// Human phrasing of a reason; reasons.cpp.
std::vector<Reason> explain(const IndexState& state, std::uint32_t buyer, std::uint32_t company,
                            const PairValues& values, Side side);

std::string_view cluster_label(std::int8_t cluster);
std::string_view tier_label(std::int8_t tier);
std::string_view buyer_type_label(std::uint8_t type);

}  // namespace sangdam::scoring
