#include "matching/scoring/row_kernel.hpp"

#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <functional>
#include <limits>

namespace sangdam::scoring {

namespace {

// Index of a cluster (kUnknown = -1 .. 3) in the by-slot tables.
std::int32_t cluster_slot(std::int8_t cluster) {
  return static_cast<std::int32_t>(cluster) + 1;
}

// Group maxima for top_k_floor(): one per 64 scores (the last group may be shorter).
constexpr std::size_t kMaximaGroup = kRowBlock * kRowBlock;

std::size_t group_count(std::size_t count) {
  return (count + kMaximaGroup - 1) / kMaximaGroup;
}

void pad_with_removed(std::size_t count, float* buyer_out, float* company_out) {
  for (std::size_t c = count; c < padded_count(count); ++c) {
    buyer_out[c] = kRemoved;
    company_out[c] = kRemoved;
  }
}

}  // namespace

const float* CompanyColumns::target_for(std::uint16_t country) const {
  if (country < target.size() && !target[country].empty()) return target[country].data();
  return unknown_target.data();
}

CompanyColumns company_columns(const IndexState& s) {
  CompanyColumns columns;
  const std::size_t n = s.companies.size();
  const std::size_t padded = padded_count(n);
  columns.count = n;
  columns.category_class.assign(padded, 0);
  columns.mark_class.assign(padded, 0);
  columns.language_class.assign(padded, 0);
  columns.cluster_slot.assign(padded, 0);
  columns.min_deal_usd.assign(padded, 0.0f);
  columns.unknown_target.assign(padded, s.rules.unknown_fit);
  for (std::size_t c = 0; c < n; ++c) {
    const CompanyLane& lane = s.company_lanes[c];
    columns.category_class[c] = static_cast<std::int32_t>(lane.category_class);
    columns.mark_class[c] = static_cast<std::int32_t>(lane.mark_class);
    columns.language_class[c] = static_cast<std::int32_t>(lane.language_class);
    columns.cluster_slot[c] = cluster_slot(lane.cluster);
    columns.min_deal_usd[c] = lane.min_deal_usd;
  }
  columns.marks_as_bits = s.marks.size() <= 64;
  if (columns.marks_as_bits) {
    columns.held_low.assign(padded, 0);
    columns.held_high.assign(padded, 0);
    for (std::size_t c = 0; c < n; ++c) {
      const std::uint64_t held = s.company_features[c].marks.words[0];
      columns.held_low[c] = static_cast<std::uint32_t>(held);
      columns.held_high[c] = static_cast<std::uint32_t>(held >> 32);
    }
  }
  for (auto* lists : {&columns.offering, &columns.under, &columns.in_branch}) {
    lists->resize(CategorySet::kCapacity);
  }
  const auto add_class = [](std::vector<std::vector<std::uint32_t>>& lists,
                            const CategorySet& codes, std::uint32_t id) {
    for_each_bit(codes, [&](std::size_t code) { lists[code].push_back(id); });
  };
  for (std::uint32_t id = 0; id < s.company_categories.size(); ++id) {
    const CompanyCategories& offered = s.company_categories.key(id);
    add_class(columns.offering, offered.exact, id);
    add_class(columns.under, offered.ancestors, id);
    add_class(columns.in_branch, offered.branch, id);
  }
  // The target value as pair_values() computes it, for each country some buyer has.
  for (const BuyerLane& buyer : s.buyer_lanes) {
    const std::uint16_t country = buyer.country;
    if (country == kNoCountry) continue;
    if (columns.target.size() <= country) columns.target.resize(country + 1u);
    auto& values = columns.target[country];
    if (!values.empty()) continue;
    values.assign(padded, 0.0f);
    for (std::size_t c = 0; c < n; ++c) {
      const CompanyLane& lane = s.company_lanes[c];
      values[c] =
          lane.has_targets ? (lane.targets.test(country) ? 1.0f : 0.0f) : s.rules.unknown_fit;
    }
  }
  return columns;
}

void fill_row_tables(const IndexState& s, std::uint32_t buyer, RowTables& tables,
                     const CompanyColumns* columns) {
  const PairRules& rules = s.rules;
  const BuyerLane& b = s.buyer_lanes[buyer];
  const BuyerFeatures& features = s.buyer_features[buyer];
  const std::size_t category_classes = s.company_categories.size();
  const BuyerCategories wanted = categories_of(features);
  if (columns == nullptr) {
    tables.category.resize(category_classes);
    tables.overlaps.clear();  // the code-list path starts afresh after this
    tables.touched.clear();
    for (std::uint32_t i = 0; i < category_classes; ++i) {
      tables.category[i] =
          category_value(rules, wanted, s.company_categories.key(i), s.category_words);
    }
  } else {
    // Classes with no overlap keep the value of none; only the classes the buyer's codes reach
    // are set, and reset by the next row.
    const float no_overlap = category_value(rules, std::uint8_t{0});
    auto& overlaps = tables.overlaps;
    if (overlaps.size() != category_classes) {
      overlaps.assign(category_classes, 0);
      tables.category.assign(category_classes, no_overlap);
      tables.touched.clear();
    }
    for (const std::uint32_t id : tables.touched) {
      overlaps[id] = 0;
      tables.category[id] = no_overlap;
    }
    tables.touched.clear();
    const auto mark = [&](const CategorySet& codes,
                          const std::vector<std::vector<std::uint32_t>>& lists,
                          CategoryOverlap overlap) {
      for_each_bit(codes, [&](std::size_t code) {
        for (const std::uint32_t id : lists[code]) {
          if (overlaps[id] == 0) tables.touched.push_back(id);
          overlaps[id] |= overlap;
        }
      });
    };
    mark(wanted.exact, columns->offering, kSameCode);
    mark(wanted.exact, columns->under, kBroadCode);
    mark(wanted.keyword, columns->under, kKeywordCode);
    mark(wanted.branch, columns->in_branch, kSameBranch);
    for (const std::uint32_t id : tables.touched) {
      tables.category[id] = category_value(rules, overlaps[id]);
    }
  }
  if (columns != nullptr && columns->marks_as_bits && row_kernel_detail::cpu_has_avx2()) {
    tables.marks.clear();  // the vector loop counts mark bits
  } else {
    tables.marks.assign(s.held_marks.size(), 1.0f);  // 1: the buyer requires nothing
    if (features.inverse_required != 0) {
      for (std::uint32_t i = 0; i < tables.marks.size(); ++i) {
        tables.marks[i] =
            marks_value(features.required_marks, features.inverse_required, s.held_marks.key(i));
      }
    }
  }
  tables.language.resize(s.company_languages.size());
  tables.removed.resize(s.company_languages.size());
  const BuyerLanguages speaks = languages_of(features);
  for (std::uint32_t i = 0; i < tables.language.size(); ++i) {
    const LanguageFit fit = language_fit(rules, speaks, s.company_languages.key(i));
    tables.language[i] = fit.value;
    tables.removed[i] = fit.gap && rules.require_common_language ? -1 : 0;
  }
  tables.cluster_tier.fill(0.0f);
  tables.buyer_type.fill(0.0f);
  for (std::int8_t cluster = kUnknown; cluster < 4; ++cluster) {
    const auto slot = static_cast<std::size_t>(cluster_slot(cluster));
    tables.cluster_tier[slot] = cluster_tier_value(rules, cluster, b.tier);
    tables.buyer_type[slot] = buyer_type_value(rules, b.type, cluster);
  }
}

namespace row_kernel_detail {

namespace {
std::atomic<bool>& vector_code() {
  static std::atomic<bool> enabled{__builtin_cpu_supports("avx2") != 0};
  return enabled;
}
}  // namespace

bool cpu_has_avx2() {
  return vector_code().load(std::memory_order_relaxed);
}

void use_vector_code(bool enabled) {
  vector_code().store(enabled && __builtin_cpu_supports("avx2") != 0);
}

void score_companies_scalar(const IndexState& s, std::uint32_t buyer, const RowTables& tables,
                            const float* text, float* buyer_out, float* company_out) {
  const PairRules rules = s.rules;  // a local: stores into the outputs cannot alias it
  const BuyerLane b = s.buyer_lanes[buyer];
  const CompanyLane* lanes = s.company_lanes.data();
  const std::size_t n = s.companies.size();
  for (std::size_t c = 0; c < n; ++c) {
    const CompanyLane& lane = lanes[c];
    const auto slot = static_cast<std::size_t>(cluster_slot(lane.cluster));
    const TableValues looked_up{
        tables.category[lane.category_class], tables.marks[lane.mark_class],
        tables.cluster_tier[slot],
        LanguageFit{tables.language[lane.language_class], tables.removed[lane.language_class] != 0},
        tables.buyer_type[slot]};
    const SideScores scores = side_scores(rules, pair_values(rules, b, lane, text[c], looked_up));
    buyer_out[c] = scores.buyer;
    company_out[c] = scores.company;
  }
}

// Everything from here to the matching pop_options is compiled for AVX2 and runs only when
// cpu_has_avx2() (the dispatchers below check).
#pragma GCC push_options
#pragma GCC target("avx2")

namespace {

[[gnu::always_inline]] inline __m256i index_at(const std::vector<std::int32_t>& classes,
                                               std::size_t c) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(classes.data() + c));
}

[[gnu::always_inline]] inline __m256i mask_at(const std::vector<std::uint32_t>& masks,
                                              std::size_t c) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(masks.data() + c));
}

// Set bits of each 32-bit lane: per nibble from a 16-entry table, then summed per lane.
[[gnu::always_inline]] inline __m256i popcount32(__m256i v) {
  const __m256i nibble_bits = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1,
                                               1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
  const __m256i low_nibbles = _mm256_set1_epi8(0x0f);
  const __m256i per_byte = _mm256_add_epi8(
      _mm256_shuffle_epi8(nibble_bits, _mm256_and_si256(v, low_nibbles)),
      _mm256_shuffle_epi8(nibble_bits, _mm256_and_si256(_mm256_srli_epi16(v, 4), low_nibbles)));
  return _mm256_madd_epi16(_mm256_maddubs_epi16(per_byte, _mm256_set1_epi8(1)),
                           _mm256_set1_epi16(1));
}

// A table looked up by eight class indices: one register permute when it has at most eight
// entries (most events have few language and mark classes), a gather otherwise.
class Lookup {
 public:
  Lookup(const float* table, std::size_t size) : table_(table), small_(size <= kRowBlock) {
    if (small_) {
      alignas(32) float padded[kRowBlock] = {};
      std::copy(table, table + size, padded);
      register_ = _mm256_load_ps(padded);
    }
  }
  [[gnu::always_inline]] inline __m256 operator()(__m256i index) const {
    return small_ ? _mm256_permutevar8x32_ps(register_, index)
                  : _mm256_i32gather_ps(table_, index, sizeof(float));
  }

 private:
  const float* table_;
  bool small_;
  __m256 register_ = _mm256_setzero_ps();
};

}  // namespace

void score_companies_avx2(const IndexState& s, const CompanyColumns& columns, std::uint32_t buyer,
                          const RowTables& tables, const float* text, float* buyer_out,
                          float* company_out) {
  const PairRules& rules = s.rules;
  const BuyerLane& b = s.buyer_lanes[buyer];
  const std::size_t padded = padded_count(columns.count);
  __m256 buyer_points[kComponentCount];
  __m256 company_points[kComponentCount];
  for (std::size_t i = 0; i < kComponentCount; ++i) {
    buyer_points[i] = _mm256_set1_ps(rules.buyer_points[i]);
    company_points[i] = _mm256_set1_ps(rules.company_points[i]);
  }
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 unknown = _mm256_set1_ps(rules.unknown_fit);
  const __m256 removed_score = _mm256_set1_ps(kRemoved);
  const bool budget_known = b.budget_usd >= 0;
  const __m256 budget = _mm256_set1_ps(b.budget_usd);
  const Lookup category(tables.category.data(), tables.category.size());
  const Lookup marks(tables.marks.data(), tables.marks.size());
  const BuyerFeatures& features = s.buyer_features[buyer];
  const bool marks_as_bits = columns.marks_as_bits;
  const bool requires_marks = features.inverse_required != 0;
  const __m256 inverse_required = _mm256_set1_ps(features.inverse_required);
  const std::uint64_t required = features.required_marks.words[0];
  const __m256i required_low = _mm256_set1_epi32(static_cast<std::int32_t>(required));
  const __m256i required_high = _mm256_set1_epi32(static_cast<std::int32_t>(required >> 32));
  // A buyer usually requires one to three marks: then each is tested on its own (and, compare,
  // count: three operations a mark), cheaper than counting all bits of the masks.
  constexpr int kFewMarks = 4;
  const int required_count = popcount64(required);
  const bool few_marks = required_count <= kFewMarks;
  __m256i mark_bit[kFewMarks] = {};
  bool mark_high[kFewMarks] = {};
  if (few_marks) {
    std::uint64_t rest = required;
    for (int j = 0; j < required_count; ++j) {
      const int bit = std::countr_zero(rest);
      rest &= rest - 1;
      mark_high[j] = bit >= 32;
      mark_bit[j] = _mm256_set1_epi32(static_cast<std::int32_t>(std::uint32_t{1} << (bit % 32)));
    }
  }
  const Lookup language(tables.language.data(), tables.language.size());
  const Lookup removed(reinterpret_cast<const float*>(tables.removed.data()),
                       tables.removed.size());
  const __m256 cluster_tier = _mm256_loadu_ps(tables.cluster_tier.data());
  const __m256 buyer_type = _mm256_loadu_ps(tables.buyer_type.data());
  const float* target = columns.target_for(b.country);
  for (std::size_t c = 0; c < padded; c += kRowBlock) {
    const __m256i slot = index_at(columns.cluster_slot, c);
    const __m256i language_class = index_at(columns.language_class, c);
    __m256 value[kComponentCount];
    value[static_cast<std::size_t>(Component::kCategory)] =
        category(index_at(columns.category_class, c));
    value[static_cast<std::size_t>(Component::kText)] =
        _mm256_min_ps(_mm256_loadu_ps(text + c), one);  // text < 1 ? text : 1, as std::min
    value[static_cast<std::size_t>(Component::kMarketTarget)] = _mm256_loadu_ps(target + c);
    if (!marks_as_bits) {
      value[static_cast<std::size_t>(Component::kMarks)] = marks(index_at(columns.mark_class, c));
    } else if (!requires_marks) {
      value[static_cast<std::size_t>(Component::kMarks)] = one;  // marks_value(): nothing required
    } else {
      // marks_value(): float(count of required marks held) * inverse count of required ones.
      const __m256i held_low = mask_at(columns.held_low, c);
      const __m256i held_high = mask_at(columns.held_high, c);
      __m256i common = _mm256_setzero_si256();
      if (few_marks) {
        for (int j = 0; j < required_count; ++j) {
          const __m256i held = mark_high[j] ? held_high : held_low;
          // A held mark compares equal: -1 in its lane, subtracted to count it.
          common = _mm256_sub_epi32(
              common, _mm256_cmpeq_epi32(_mm256_and_si256(held, mark_bit[j]), mark_bit[j]));
        }
      } else {
        common = _mm256_add_epi32(popcount32(_mm256_and_si256(required_low, held_low)),
                                  popcount32(_mm256_and_si256(required_high, held_high)));
      }
      value[static_cast<std::size_t>(Component::kMarks)] =
          _mm256_mul_ps(_mm256_cvtepi32_ps(common), inverse_required);
    }
    value[static_cast<std::size_t>(Component::kClusterTier)] =
        _mm256_permutevar8x32_ps(cluster_tier, slot);
    value[static_cast<std::size_t>(Component::kLanguage)] = language(language_class);
    value[static_cast<std::size_t>(Component::kBuyerType)] =
        _mm256_permutevar8x32_ps(buyer_type, slot);
    __m256 deal = unknown;
    if (budget_known) {
      const __m256 minimum = _mm256_loadu_ps(columns.min_deal_usd.data() + c);
      const __m256 reached = _mm256_cmp_ps(budget, minimum, _CMP_GE_OQ);
      const __m256 known = _mm256_cmp_ps(minimum, _mm256_setzero_ps(), _CMP_GE_OQ);
      const __m256 share = _mm256_div_ps(budget, minimum);
      deal = _mm256_blendv_ps(unknown, _mm256_blendv_ps(share, one, reached), known);
    }
    value[static_cast<std::size_t>(Component::kDealSize)] = deal;
    // side_score(): sum += points[i] * value[i], in component order, from 0.
    __m256 buyer_sum = _mm256_setzero_ps();
    __m256 company_sum = _mm256_setzero_ps();
    for (std::size_t i = 0; i < kComponentCount; ++i) {
      buyer_sum = _mm256_add_ps(buyer_sum, _mm256_mul_ps(buyer_points[i], value[i]));
      company_sum = _mm256_add_ps(company_sum, _mm256_mul_ps(company_points[i], value[i]));
    }
    const __m256 gone = removed(language_class);
    _mm256_storeu_ps(buyer_out + c, _mm256_blendv_ps(buyer_sum, removed_score, gone));
    _mm256_storeu_ps(company_out + c, _mm256_blendv_ps(company_sum, removed_score, gone));
  }
}

namespace {

void indices_above_avx2(const float* scores, const float* floors, float floor, std::size_t first,
                        std::size_t last, std::vector<std::uint32_t>& out) {
  const __m256 fixed = _mm256_set1_ps(floor);
  for (std::size_t c = first; c < last; c += kRowBlock) {
    const __m256 bound = floors != nullptr ? _mm256_loadu_ps(floors + c) : fixed;
    auto mask = static_cast<unsigned>(
        _mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(scores + c), bound, _CMP_GT_OQ)));
    while (mask != 0) {
      out.push_back(static_cast<std::uint32_t>(c) + static_cast<unsigned>(std::countr_zero(mask)));
      mask &= mask - 1;
    }
  }
}

void group_maxima_avx2(const float* scores, std::size_t count, float* maxima) {
  for (std::size_t c = 0; c < count; c += kMaximaGroup) {
    const std::size_t end = std::min(count, c + kMaximaGroup);
    __m256 top = _mm256_loadu_ps(scores + c);
    for (std::size_t i = c + kRowBlock; i < end; i += kRowBlock) {
      top = _mm256_max_ps(top, _mm256_loadu_ps(scores + i));
    }
    // Horizontal maximum of the eight lanes.
    top = _mm256_max_ps(top, _mm256_permute2f128_ps(top, top, 1));
    top = _mm256_max_ps(top, _mm256_shuffle_ps(top, top, _MM_SHUFFLE(1, 0, 3, 2)));
    top = _mm256_max_ps(top, _mm256_shuffle_ps(top, top, _MM_SHUFFLE(2, 3, 0, 1)));
    maxima[c / kMaximaGroup] = _mm256_cvtss_f32(top);
  }
}

#pragma GCC pop_options

void group_maxima_scalar(const float* scores, std::size_t count, float* maxima) {
  for (std::size_t c = 0; c < count; c += kMaximaGroup) {
    maxima[c / kMaximaGroup] =
        *std::max_element(scores + c, scores + std::min(count, c + kMaximaGroup));
  }
}
void indices_above_scalar(const float* scores, const float* floors, float floor, std::size_t first,
                          std::size_t last, std::vector<std::uint32_t>& out) {
  for (std::size_t c = first; c < last; ++c) {
    if (scores[c] > (floors != nullptr ? floors[c] : floor)) {
      out.push_back(static_cast<std::uint32_t>(c));
    }
  }
}

}  // namespace

}  // namespace row_kernel_detail

void score_companies(const IndexState& s, const CompanyColumns& columns, std::uint32_t buyer,
                     const RowTables& tables, const float* text, float* buyer_out,
                     float* company_out) {
  if (row_kernel_detail::cpu_has_avx2()) {
    row_kernel_detail::score_companies_avx2(s, columns, buyer, tables, text, buyer_out,
                                            company_out);
  } else {
    row_kernel_detail::score_companies_scalar(s, buyer, tables, text, buyer_out, company_out);
  }
  pad_with_removed(columns.count, buyer_out, company_out);
}

float top_k_floor(const float* scores, std::size_t count, std::size_t k,
                  std::vector<float>& scratch) {
  const std::size_t groups = group_count(count);
  if (k == 0 || groups < k) return kRemoved;
  scratch.resize(groups);
  if (row_kernel_detail::cpu_has_avx2()) {
    row_kernel_detail::group_maxima_avx2(scores, count, scratch.data());
  } else {
    row_kernel_detail::group_maxima_scalar(scores, count, scratch.data());
  }
  const auto kth = scratch.begin() + static_cast<std::ptrdiff_t>(k - 1);
  std::nth_element(scratch.begin(), kth, scratch.end(), std::greater<float>{});
  // Scores equal to the k-th maximum stay candidates: the floor is just below it.
  return std::max(kRemoved, std::nextafter(*kth, -std::numeric_limits<float>::infinity()));
}

void indices_above(const float* scores, float floor, std::size_t first, std::size_t last,
                   std::vector<std::uint32_t>& out) {
  if (row_kernel_detail::cpu_has_avx2()) {
    row_kernel_detail::indices_above_avx2(scores, nullptr, floor, first, last, out);
  } else {
    row_kernel_detail::indices_above_scalar(scores, nullptr, floor, first, last, out);
  }
}

void indices_above(const float* scores, const float* floors, std::size_t first, std::size_t last,
                   std::vector<std::uint32_t>& out) {
  if (row_kernel_detail::cpu_has_avx2()) {
    row_kernel_detail::indices_above_avx2(scores, floors, 0.0f, first, last, out);
  } else {
    row_kernel_detail::indices_above_scalar(scores, floors, 0.0f, first, last, out);
  }
}

}  // namespace sangdam::scoring
