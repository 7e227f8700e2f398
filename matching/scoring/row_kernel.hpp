// Internal to matching/scoring: the all-pairs loop of the full recompute in
// structure-of-arrays form, eight companies at a time (AVX2 where the CPU has it, checked at
// run time; the same arithmetic one company at a time elsewhere).
//
// Exactness: every lane computes the component values of pair_kernel.hpp with the same IEEE
// single-precision operations in the same order (no fused multiply-add, no reassociation), so
// a score of the vector loop is bit for bit the score pair_values() + side_scores() give and
// score_pair() explains. tests/unit/scoring/test_row_kernel.cpp holds both paths to that.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "matching/scoring/pair_kernel.hpp"

namespace sangdam::scoring {

inline constexpr std::size_t kRowBlock = 8;  // companies per vector step

// Arrays are padded to this many companies: the vector loop needs no tail.
inline std::size_t padded_count(std::size_t n) {
  return (n + kRowBlock - 1) / kRowBlock * kRowBlock;
}

// The company lanes as one array per field, padded (padding lanes score kRemoved).
struct CompanyColumns {
  std::size_t count = 0;  // real companies
  std::vector<std::int32_t> category_class;
  std::vector<std::int32_t> mark_class;
  std::vector<std::int32_t> language_class;
  std::vector<std::int32_t> cluster_slot;  // cluster + 1 (0: unknown)
  std::vector<float> min_deal_usd;
  // When the event has at most 64 marks, the marks each company holds as two 32-bit masks:
  // the vector loop then counts the marks a buyer requires and a company holds with a
  // popcount instead of looking up a table by class.
  bool marks_as_bits = false;
  std::vector<std::uint32_t> held_low;
  std::vector<std::uint32_t> held_high;
  // Market-target value (1, 0, or unknown_fit when the company names no target) for a buyer of
  // country i, by company; built for the countries buyers have. unknown_target serves buyers
  // of no known country.
  std::vector<std::vector<float>> target;
  std::vector<float> unknown_target;
  // Company category classes by taxonomy code (bit): those offering it, those whose codes or
  // ancestors include it, those in its branch. A row finds its category overlaps through these
  // short lists instead of testing every class.
  std::vector<std::vector<std::uint32_t>> offering;
  std::vector<std::vector<std::uint32_t>> under;
  std::vector<std::vector<std::uint32_t>> in_branch;

  const float* target_for(std::uint16_t country) const;
};

CompanyColumns company_columns(const IndexState& s);

// One buyer's values by company class and by cluster slot: computed once per row, looked up
// per pair.
struct RowTables {
  std::vector<float> category;                  // by company category class
  std::vector<float> marks;                     // by held-marks class
  std::vector<float> language;                  // by company language class
  std::vector<std::int32_t> removed;            // by company language class: -1 where the language
                                                // filter removes the pair, else 0
  std::array<float, kRowBlock> cluster_tier{};  // by cluster slot, padded
  std::array<float, kRowBlock> buyer_type{};
  // Scratch of the code-list path: CategoryOverlap bits by company category class (zero
  // outside `touched`), and the classes the last row touched (the others keep the no-overlap
  // value, so a row resets only what it set).
  std::vector<std::uint8_t> overlaps;
  std::vector<std::uint32_t> touched;
};

// Fills `tables` (reused between rows) for one buyer. With columns (built from the same
// state), category values come from their code lists; without, from testing every class.
void fill_row_tables(const IndexState& s, std::uint32_t buyer, RowTables& tables,
                     const CompanyColumns* columns = nullptr);

// Both side scores of one buyer with every company, before wishes, into buyer_out and
// company_out (padded_count(columns.count) each; padding lanes get kRemoved). text: the row's
// similarities, padded with zeros.
void score_companies(const IndexState& s, const CompanyColumns& columns, std::uint32_t buyer,
                     const RowTables& tables, const float* text, float* buyer_out,
                     float* company_out);

// A floor for a top-k of scores[0, count) (count a multiple of kRowBlock) that keeps every
// entry of the top k: the k-th largest maximum of disjoint 64-score groups, made strict
// (each of k groups holds a score at least that high, so the k-th best score is too).
// kRemoved when there are fewer than k groups. `scratch` is reused between rows.
float top_k_floor(const float* scores, std::size_t count, std::size_t k,
                  std::vector<float>& scratch);

// Appends to `out` the indices in [first, last) whose score is above `floor`, ascending.
// first and last are multiples of kRowBlock.
void indices_above(const float* scores, float floor, std::size_t first, std::size_t last,
                   std::vector<std::uint32_t>& out);
// The same with one floor per index.
void indices_above(const float* scores, const float* floors, std::size_t first, std::size_t last,
                   std::vector<std::uint32_t>& out);

// The two implementations, exposed for the test that holds them equal. The scalar one reads
// the lanes through pair_values() (the kernel score_pair() explains with) and writes
// s.companies.size() scores; the vector one reads the columns and writes the padded count
// (padding lanes are garbage until score_companies() overwrites them).
namespace row_kernel_detail {
bool cpu_has_avx2();  // and the vector code is enabled
// Tests switch the vector code off to run the scalar paths on a CPU that has AVX2; true
// enables it again where the CPU has it.
void use_vector_code(bool enabled);
void score_companies_scalar(const IndexState& s, std::uint32_t buyer, const RowTables& tables,
                            const float* text, float* buyer_out, float* company_out);
void score_companies_avx2(const IndexState& s, const CompanyColumns& columns, std::uint32_t buyer,
                          const RowTables& tables, const float* text, float* buyer_out,
                          float* company_out);
}  // namespace row_kernel_detail

}  // namespace sangdam::scoring
