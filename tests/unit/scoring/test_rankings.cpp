// The fast paths of matching/scoring against score_pair() on cases the main scoring tests do
// not reach: taxonomies wider than one or two words of category bits, rankings whose reserve
// beyond K runs dry after many changes, and an index that starts with no buyers at all.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "matching/scoring/match_index.hpp"
#include "tests/unit/scoring/slow_ranking.hpp"

using namespace sangdam;
using namespace sangdam::scoring;

namespace {

// A taxonomy of `branches` branches with `leaves` leaves each (codes b<i> and b<i>.l<j>).
MatchContext wide_context(int branches, int leaves) {
  MatchContext context;
  for (int i = 0; i < branches; ++i) {
    const std::string branch = "b" + std::to_string(i);
    context.taxonomy.add(Category{branch, "", "Branch " + std::to_string(i), "", {}, {}});
    for (int j = 0; j < leaves; ++j) {
      context.taxonomy.add(Category{branch + ".l" + std::to_string(j),
                                    branch,
                                    "Leaf " + std::to_string(i) + "." + std::to_string(j),
                                    "",
                                    {"word" + std::to_string(i * leaves + j)},
                                    {}});
    }
  }
  context.markets.add(Market{"DE", "Germany", MarketTier::kInnovationLeader, {"de", "en"}, {"CE"}});
  return context;
}

Buyer buyer(int i, std::string category) {
  Buyer b;
  b.id = "b" + std::to_string(i);
  b.country = "DE";
  b.categories = {std::move(category)};
  b.products_sought = "word" + std::to_string(i % 7) + " monitor";
  b.languages = {i % 3 == 0 ? "de" : "en"};
  b.budget_max = Money{(i % 5) * 2'000'000, "USD"};
  return b;
}

Company company(int i, std::string category) {
  Company c;
  c.id = "c" + std::to_string(i);
  c.categories = {std::move(category)};
  c.products = {Product{"monitor " + std::to_string(i), "word" + std::to_string(i % 11), {}, ""}};
  if (i % 2 == 0) c.certifications = {"CE"};
  c.target_markets = {"DE"};
  c.languages = {i % 4 == 0 ? "de" : "en"};
  c.min_deal = Money{(i % 3) * 3'000'000, "USD"};
  c.cluster = static_cast<ClusterType>(i % 5);
  return c;
}

}  // namespace

TEST_CASE("rankings: a taxonomy of 300 codes ranks like the per-pair scores") {
  MatchContext context = wide_context(20, 14);  // 20 branches + 280 leaves: five words of bits
  context.config.top_k = 5;
  std::vector<Buyer> buyers;
  std::vector<Company> companies;
  for (int i = 0; i < 40; ++i) {
    // Codes far apart in the bit sets: categories in the last words must still match.
    buyers.push_back(buyer(i, i % 4 == 0 ? "b19" : "b" + std::to_string(19 - i % 3) + ".l13"));
  }
  for (int i = 0; i < 30; ++i) {
    companies.push_back(
        company(i, "b" + std::to_string(19 - i % 4) + ".l" + std::to_string(i % 14)));
  }
  MatchIndex index(context, buyers, companies);
  index.full_recompute(2);
  const auto expected = testing::slow_ranking(index);
  CHECK(index.buyer_lists() == expected.first);
  CHECK(index.company_lists() == expected.second);
  // Buyer 1 seeks b18.l13: company 13 sells it, company 17 a sibling leaf (b18.l3), so the
  // bits of the fifth word were compared.
  CHECK(index.score_pair(1, 13).buyer_score > index.score_pair(1, 17).buyer_score);
}

TEST_CASE("rankings: lists stay exact when changes drain the reserve beyond K") {
  MatchContext context = wide_context(2, 3);
  context.config.top_k = 2;
  std::vector<Buyer> buyers;
  for (int i = 0; i < 60; ++i) buyers.push_back(buyer(i, "b0.l0"));
  Company wanted = company(0, "b0.l0");
  wanted.languages = {"de", "en"};  // every buyer can talk to it
  MatchIndex index(context, buyers, {wanted, company(1, "b0.l1")});
  index.full_recompute(1);
  // Buyer after buyer turns company c0 down: each leaves c0's ranking, which holds K plus a
  // reserve, until its known entries run short and c0's column must be rescored.
  for (int round = 0; round < 45; ++round) {
    const std::uint32_t leaving = index.company_lists()[0].front().counterpart;
    Buyer changed = index.buyer(leaving);
    changed.no_thanks = {"c0"};
    const RescoreResult result = index.upsert_buyer(changed);
    const auto expected = testing::slow_ranking(index);
    REQUIRE(index.buyer_lists() == expected.first);
    REQUIRE(index.company_lists() == expected.second);
    CHECK(std::find(result.changed_counterparts.begin(), result.changed_counterparts.end(), 0u) !=
          result.changed_counterparts.end());
  }
  CHECK(index.company_lists()[0].size() == 2);
}

TEST_CASE("rankings: an index that starts without buyers fills company lists as buyers arrive") {
  MatchContext context = wide_context(2, 3);
  context.config.top_k = 3;
  MatchIndex index(context, {}, {company(0, "b0.l0"), company(1, "b1.l1")});
  index.full_recompute(1);
  for (int i = 0; i < 8; ++i) {
    index.upsert_buyer(buyer(i, i % 2 ? "b0.l0" : "b1.l1"));
    const auto expected = testing::slow_ranking(index);
    REQUIRE(index.buyer_lists() == expected.first);
    REQUIRE(index.company_lists() == expected.second);
  }
  CHECK(index.company_lists()[0].size() == 3);
}
