// The vector all-pairs loop (matching/scoring/row_kernel.hpp) against the per-pair kernel:
// same floats, same lists, on an event wide enough that the top-k floor of 64-score groups
// is in play (more groups than a ranking's capacity), with the vector code on and off.
#include <catch2/catch.hpp>

#include "matching/error.hpp"
#include "matching/generator/event_generator.hpp"
#include "matching/scoring/match_index.hpp"
#include "matching/scoring/row_kernel.hpp"
#include "tests/unit/scoring/slow_ranking.hpp"

namespace sangdam::scoring {
namespace {

// Restores the vector code when a test ends, whatever happened.
struct ScalarOnly {
  ScalarOnly() { row_kernel_detail::use_vector_code(false); }
  ~ScalarOnly() { row_kernel_detail::use_vector_code(true); }
};

// more_marks: give companies and buyers 80 made-up marks on top of the generated ones, so the
// event has more than 64 and the vector loop looks marks up by class instead of counting bits.
MatchIndex generated_index(std::size_t buyers, std::size_t companies, std::uint64_t seed,
                           bool more_marks = false, unsigned build_threads = 1) {
  MatchContext context;
  context.taxonomy = generator::builtin_taxonomy();
  context.markets = generator::builtin_markets();
  context.config.top_k = 3;  // capacity 19: 1,600 companies make 25 groups of 64
  const auto event =
      generator::generate_event({buyers, companies, seed, 4}, &context.taxonomy, &context.markets);
  for (const auto& pair : event.interpreter_pairs) context.interpreters.add(pair);
  auto buyer_list = event.buyers;
  auto company_list = event.companies;
  if (more_marks) {
    for (std::size_t i = 0; i < company_list.size(); ++i) {
      company_list[i].certifications.push_back("MARK-" + std::to_string(i % 80));
    }
    for (std::size_t i = 0; i < buyer_list.size(); ++i) {
      buyer_list[i].certifications.push_back("MARK-" + std::to_string(i * 7 % 80));
    }
  }
  return MatchIndex(context, buyer_list, company_list, build_threads);
}

// Buyers that require from none up to nine marks (within 64 marks in the event): the vector
// loop tests few required marks one by one and counts bits for more.
MatchIndex index_requiring_marks(std::size_t buyers, std::size_t companies) {
  MatchContext context;
  context.taxonomy = generator::builtin_taxonomy();
  context.markets = generator::builtin_markets();
  context.config.top_k = 3;
  const auto event =
      generator::generate_event({buyers, companies, 21, 4}, &context.taxonomy, &context.markets);
  for (const auto& pair : event.interpreter_pairs) context.interpreters.add(pair);
  auto buyer_list = event.buyers;
  auto company_list = event.companies;
  constexpr std::size_t kMarks = 12;
  for (std::size_t i = 0; i < company_list.size(); ++i) {
    for (std::size_t j = 0; j < i % 5; ++j) {
      company_list[i].certifications.push_back("REQ-" + std::to_string((i + 5 * j) % kMarks));
    }
  }
  for (std::size_t i = 0; i < buyer_list.size(); ++i) {
    for (std::size_t j = 0; j < i % 10; ++j) {
      buyer_list[i].certifications.push_back("REQ-" + std::to_string((i + j) % kMarks));
    }
  }
  return MatchIndex(context, buyer_list, company_list, 1);
}

}  // namespace

TEST_CASE("row kernel: buyers requiring few or many marks rank like the per-pair scores") {
  MatchIndex index = index_requiring_marks(30, 1'000);
  const auto expected = testing::slow_ranking(index);
  index.full_recompute(2);
  CHECK(index.buyer_lists() == expected.first);
  CHECK(index.company_lists() == expected.second);
}

TEST_CASE("row kernel: full recompute on 1,600 companies equals the per-pair ranking") {
  MatchIndex index = generated_index(24, 1'600, 5);
  const auto expected = testing::slow_ranking(index);
  index.full_recompute(2);
  CHECK(index.buyer_lists() == expected.first);
  CHECK(index.company_lists() == expected.second);
  {
    ScalarOnly scalar;
    index.full_recompute(1);
    CHECK(index.buyer_lists() == expected.first);
    CHECK(index.company_lists() == expected.second);
  }
}

TEST_CASE("row kernel: an event with more than 64 marks ranks like the per-pair scores") {
  MatchIndex index = generated_index(20, 1'200, 9, true);
  const auto expected = testing::slow_ranking(index);
  index.full_recompute(2);
  CHECK(index.buyer_lists() == expected.first);
  CHECK(index.company_lists() == expected.second);
}

TEST_CASE("index build: tokenising on several threads builds the same index") {
  MatchIndex one = generated_index(300, 200, 13, false, 1);
  MatchIndex three = generated_index(300, 200, 13, false, 3);
  one.full_recompute(1);
  three.full_recompute(1);
  CHECK(one.buyer_lists() == three.buyer_lists());
  CHECK(one.company_lists() == three.company_lists());
  for (std::size_t b = 0; b < 300; b += 37) {
    for (std::size_t c = 0; c < 200; c += 23) {
      CHECK(one.text_similarity(b, c) == three.text_similarity(b, c));
    }
  }
}

TEST_CASE("index build: the first invalid text in document order is reported, on any thread") {
  MatchContext context;
  context.taxonomy = generator::builtin_taxonomy();
  context.markets = generator::builtin_markets();
  const auto event =
      generator::generate_event({600, 300, 3, 4}, &context.taxonomy, &context.markets);
  auto buyers = event.buyers;
  auto companies = event.companies;
  buyers[550].products_sought = "ECG \xC3";  // a late buyer, likely tokenised by another thread
  companies[0].products.at(0).description = "bad \xFF";
  for (const unsigned threads : {1u, 2u, 4u}) {
    try {
      MatchIndex index(context, buyers, companies, threads);
      FAIL("accepted invalid UTF-8");
    } catch (const Error& e) {
      CHECK(e.reason() == "invalid_utf8");
      CHECK(e.field() == "products_sought");  // buyers come before companies
    }
  }
}

TEST_CASE("row kernel: the top-k floor keeps every entry of the top k") {
  std::vector<float> scores(64 * 40, kRemoved);
  // Forty groups; the best scores crowd into two groups, so most group maxima are low.
  for (std::size_t i = 0; i < scores.size(); ++i) scores[i] = static_cast<float>(i % 7);
  for (std::size_t i = 0; i < 128; ++i) scores[i] = 50.0f + static_cast<float>(i % 5);
  std::vector<float> scratch;
  for (const bool vector : {true, false}) {
    row_kernel_detail::use_vector_code(vector);
    const float floor = top_k_floor(scores.data(), scores.size(), 30, scratch);
    std::vector<float> sorted = scores;
    std::sort(sorted.begin(), sorted.end(), std::greater<float>{});
    CHECK(sorted[29] > floor);  // the 30th best passes
    CHECK(floor >= 5.0f);       // and the floor still turns the crowd away
    CHECK(top_k_floor(scores.data(), scores.size(), 41, scratch) == kRemoved);  // 40 groups
    std::vector<std::uint32_t> above;
    indices_above(scores.data(), floor, 0, scores.size(), above);
    CHECK(std::is_sorted(above.begin(), above.end()));
    for (std::size_t i = 0; i < scores.size(); ++i) {
      CHECK((scores[i] > floor) ==
            std::binary_search(above.begin(), above.end(), static_cast<std::uint32_t>(i)));
    }
  }
  row_kernel_detail::use_vector_code(true);
}

}  // namespace sangdam::scoring
