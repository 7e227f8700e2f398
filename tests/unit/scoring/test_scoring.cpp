#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>

#include "matching/error.hpp"
#include "matching/scoring/match_index.hpp"
#include "tests/unit/scoring/slow_ranking.hpp"

using namespace sangdam;
using namespace sangdam::scoring;

namespace {

Category category(std::string code, std::string parent, std::string name_en,
                  std::vector<std::string> en = {}, std::vector<std::string> ko = {}) {
  return Category{std::move(code), std::move(parent), std::move(name_en), "",
                  std::move(en),   std::move(ko)};
}

MatchContext test_context() {
  MatchContext context;
  context.taxonomy.add(category("digital_health", "", "Digital health"));
  context.taxonomy.add(category("digital_health.wearables", "digital_health", "Wearables",
                                {"ecg", "wearable"}, {"심전도"}));
  context.taxonomy.add(category("digital_health.ai_diagnosis", "digital_health", "AI diagnosis"));
  context.taxonomy.add(category("dental", "", "Dental"));
  context.taxonomy.add(
      category("dental.implants", "dental", "Dental implants", {"implant"}, {"임플란트"}));
  context.markets.add(Market{"DE", "Germany", MarketTier::kInnovationLeader, {"de", "en"}, {"CE"}});
  context.markets.add(Market{"VN", "Viet Nam", MarketTier::kDeveloping, {"vi"}, {}});
  context.markets.add(
      Market{"AE", "United Arab Emirates", MarketTier::kInnovationLeader, {"ar"}, {}});
  return context;
}

Buyer buyer(std::string id, std::string country = "DE") {
  Buyer b;
  b.id = std::move(id);
  b.country = std::move(country);
  b.type = BuyerType::kDistributor;
  b.categories = {"digital_health.wearables"};
  b.products_sought = "wearable ECG monitor";
  b.languages = {"en"};
  b.budget_max = Money{10'000'000, "USD"};  // USD 100,000.00
  return b;
}

Company company(std::string id) {
  Company c;
  c.id = std::move(id);
  c.categories = {"digital_health.wearables"};
  c.products = {Product{"Wearable ECG patch", "continuous ECG monitoring patch", {}, "901811"}};
  c.certifications = {"CE"};
  c.target_markets = {"DE", "VN"};
  c.languages = {"ko", "en"};
  c.min_deal = Money{5'000'000, "USD"};
  c.cluster = ClusterType::kFullCycle;
  return c;
}

double buyer_score(const MatchIndex& index, std::size_t b, std::size_t c) {
  return index.score_pair(b, c).buyer_score;
}

}  // namespace

TEST_CASE("marks: lacking a mark the buyer's market requires scores lower, all else equal") {
  Company without = company("c_without");
  without.certifications.clear();
  MatchIndex index(test_context(), {buyer("b1")}, {company("c_with"), without});
  CHECK(buyer_score(index, 0, 0) > buyer_score(index, 0, 1));
  CHECK(index.score_pair(0, 0).company_score > index.score_pair(0, 1).company_score);
  bool found = false;
  MatchContext one_reason_each = test_context();
  one_reason_each.config.reasons_kept = kComponentCount;
  MatchIndex explained(one_reason_each, {buyer("b1")}, {company("c_with")});
  for (const auto& reason : explained.score_pair(0, 0).reasons) {
    if (reason.component == "marks") {
      found = true;
      CHECK(reason.text == "holds CE, needed in Germany");
      CHECK(reason.contribution > 0);
    }
  }
  CHECK(found);
}

TEST_CASE("category: same leaf beats same branch beats another branch") {
  Company sibling = company("c_sibling");
  sibling.categories = {"digital_health.ai_diagnosis"};
  Company other = company("c_other");
  other.categories = {"dental.implants"};
  MatchIndex index(test_context(), {buyer("b1")}, {company("c_leaf"), sibling, other});
  CHECK(buyer_score(index, 0, 0) > buyer_score(index, 0, 1));
  CHECK(buyer_score(index, 0, 1) > buyer_score(index, 0, 2));
  const auto reasons = index.score_pair(0, 0).reasons;
  REQUIRE_FALSE(reasons.empty());
  CHECK(reasons[0].component == "category");
  CHECK(reasons[0].text == "sells Wearable ECG patch (Digital health > Wearables), which you seek");
}

TEST_CASE("text: a Korean-only description matches a Korean query") {
  Company ecg = company("c_ecg");
  ecg.products = {Product{"웨어러블 심전도 측정기", "24시간 심전도를 측정하는 패치", {}, ""}};
  Company implant = company("c_implant");
  implant.products = {Product{"치과 임플란트", "티타늄 임플란트 시스템", {}, ""}};
  Buyer korean = buyer("b_ko");
  korean.products_sought = "심전도 측정 패치를 찾습니다";
  MatchIndex index(test_context(), {korean}, {ecg, implant});
  CHECK(index.text_similarity(0, 0) > 0.2f);
  CHECK(index.text_similarity(0, 1) == 0.0f);
  CHECK(buyer_score(index, 0, 0) > buyer_score(index, 0, 1));
}

TEST_CASE("text: taxonomy keywords bridge an English query to a Korean-only category") {
  Company korean_only = company("c_ko");
  korean_only.products = {Product{"웨어러블 심전도 측정기", "", {}, ""}};
  Company elsewhere = korean_only;
  elsewhere.id = "c_dental";
  elsewhere.categories = {"dental.implants"};
  Buyer english = buyer("b_en");
  english.categories.clear();  // only the text says what the buyer wants
  english.products_sought = "ECG monitors";
  MatchIndex index(test_context(), {english}, {korean_only, elsewhere});
  CHECK(index.text_similarity(0, 0) == 0.0f);  // no shared term at all
  CHECK(buyer_score(index, 0, 0) > buyer_score(index, 0, 1));
}

TEST_CASE("language: no common language and no interpreter removes, an interpreter saves") {
  Buyer vietnamese = buyer("b_vi", "VN");
  vietnamese.languages = {"vi"};
  Company korean = company("c_ko");
  korean.languages = {"ko"};
  {
    MatchIndex index(test_context(), {vietnamese}, {korean});
    const PairScore s = index.score_pair(0, 0);
    CHECK(s.removed);
    CHECK(s.removed_why == "no_common_language");
    index.full_recompute(1);
    CHECK(index.buyer_lists()[0].empty());
    CHECK(index.company_lists()[0].empty());
  }
  MatchContext with_interpreter = test_context();
  with_interpreter.interpreters.add("ko-vi");
  MatchIndex bridged(with_interpreter, {vietnamese}, {korean});
  CHECK_FALSE(bridged.score_pair(0, 0).removed);
  Company speaks_vi = korean;
  speaks_vi.languages = {"vi"};
  MatchIndex shared(with_interpreter, {vietnamese}, {speaks_vi});
  CHECK(buyer_score(shared, 0, 0) > buyer_score(bridged, 0, 0));

  MatchContext unfiltered = test_context();
  unfiltered.config.require_common_language = false;
  CHECK_FALSE(MatchIndex(unfiltered, {vietnamese}, {korean}).score_pair(0, 0).removed);
  CHECK_THROWS_AS(with_interpreter.interpreters.add("vi"), Error);
  CHECK(with_interpreter.interpreters.covers("vi", "ko"));
}

TEST_CASE("wishes: no-thanks and met-before remove, must-meet lifts to the top") {
  Company poor = company("c_poor");
  poor.categories = {"dental.implants"};
  poor.products = {Product{"Dental implant", "titanium implant", {}, ""}};
  Buyer b = buyer("b1");
  b.no_thanks = {"c_a"};
  b.met_before = {"c_b"};
  b.must_meet = {"c_poor"};
  MatchIndex index(test_context(), {b}, {company("c_a"), company("c_b"), company("c_c"), poor});
  CHECK(index.score_pair(0, 0).removed_why == "no_thanks");
  CHECK(index.score_pair(0, 1).removed_why == "met_before");
  const PairScore lifted = index.score_pair(0, 3);
  CHECK(lifted.buyer_score == Approx(100));
  CHECK(lifted.reasons.at(0).component == "must_meet");
  index.full_recompute(2);
  const TopList& list = index.buyer_lists()[0];
  REQUIRE(list.size() == 2);
  CHECK(list[0].counterpart == 3);
  CHECK(list[1].counterpart == 2);
  CHECK(index.company_lists()[0].empty());
  CHECK(index.company_lists()[1].empty());
}

TEST_CASE("market: cluster type suits the tier, targeting the country counts, budget counts") {
  Company production = company("c_prod");
  production.cluster = ClusterType::kProduction;
  Company full_cycle = company("c_full");
  MatchIndex vietnam(test_context(), {buyer("b_vn", "VN")}, {production, full_cycle});
  CHECK(buyer_score(vietnam, 0, 0) > buyer_score(vietnam, 0, 1));
  MatchIndex emirates(test_context(), {buyer("b_ae", "AE")}, {production, full_cycle});
  CHECK(buyer_score(emirates, 0, 1) > buyer_score(emirates, 0, 0));

  Company elsewhere = company("c_elsewhere");
  elsewhere.target_markets = {"VN"};
  MatchIndex targets(test_context(), {buyer("b1")}, {company("c_de"), elsewhere});
  CHECK(buyer_score(targets, 0, 0) > buyer_score(targets, 0, 1));

  Company expensive = company("c_big");
  expensive.min_deal = Money{100'000'000, "USD"};  // USD 1M, above the buyer's 100k
  MatchIndex deal(test_context(), {buyer("b1")}, {company("c_small"), expensive});
  CHECK(buyer_score(deal, 0, 0) > buyer_score(deal, 0, 1));
  CHECK(deal.score_pair(0, 0).company_score > deal.score_pair(0, 1).company_score);
}

TEST_CASE("scores: both sides in [0, 100], side weights differ, mutual is their weighted mean") {
  MatchIndex index(test_context(), {buyer("b1")}, {company("c1")});
  const PairScore s = index.score_pair(0, 0);
  CHECK(s.buyer_score > 0);
  CHECK(s.buyer_score <= 100);
  CHECK(s.company_score <= 100);
  CHECK(s.mutual == Approx(std::sqrt(s.buyer_score * s.company_score)));
}

namespace {

// A random small event: every field drawn so that all components and wishes vary.
std::pair<std::vector<Buyer>, std::vector<Company>> random_event(unsigned seed, int buyers,
                                                                 int companies) {
  std::mt19937 random(seed);  // only the shape of the test data; no expected value depends on it
  auto pick = [&](const std::vector<std::string>& from) { return from[random() % from.size()]; };
  const std::vector<std::string> codes = {"digital_health.wearables", "digital_health.ai_diagnosis",
                                          "dental.implants", "dental", "digital_health"};
  const std::vector<std::string> words = {"ecg",      "wearable", "implant", "titanium", "심전도",
                                          "임플란트", "patch",    "monitor", "scanner",  "AI"};
  const std::vector<std::string> countries = {"DE", "VN", "AE", "US"};
  const std::vector<std::string> languages = {"en", "vi", "ko", "ar"};
  std::vector<Company> cs;
  for (int i = 0; i < companies; ++i) {
    Company c = company("c" + std::to_string(i));
    c.categories = {pick(codes)};
    c.products = {
        Product{pick(words) + " " + pick(words), pick(words) + " " + pick(words), {}, ""}};
    c.certifications = random() % 2 ? std::vector<std::string>{"CE"} : std::vector<std::string>{};
    c.target_markets = {pick(countries)};
    c.languages = {"ko", pick(languages)};
    c.cluster = static_cast<ClusterType>(random() % 5);
    c.min_deal = Money{static_cast<std::int64_t>(random() % 20) * 1'000'000, "USD"};
    cs.push_back(c);
  }
  std::vector<Buyer> bs;
  for (int i = 0; i < buyers; ++i) {
    Buyer b = buyer("b" + std::to_string(i), pick(countries));
    b.categories = {pick(codes)};
    b.products_sought = pick(words) + " " + pick(words);
    b.languages = {pick(languages)};
    b.type = static_cast<BuyerType>(random() % 8);
    if (random() % 4 == 0) b.must_meet = {"c" + std::to_string(random() % companies)};
    if (random() % 4 == 0) b.no_thanks = {"c" + std::to_string(random() % companies)};
    if (random() % 4 == 0) b.met_before = {"c" + std::to_string(random() % companies)};
    bs.push_back(b);
  }
  return {bs, cs};
}

}  // namespace

TEST_CASE("full recompute: lists equal the slow per-pair ranking, for any thread count") {
  auto [buyers, companies] = random_event(7, 60, 40);
  MatchContext context = test_context();
  context.interpreters.add("vi-ko");
  context.config.top_k = 5;
  MatchIndex index(context, buyers, companies);
  index.full_recompute(1);
  const auto expected = testing::slow_ranking(index);
  CHECK(index.buyer_lists() == expected.first);
  CHECK(index.company_lists() == expected.second);
  index.full_recompute(3);
  CHECK(index.buyer_lists() == expected.first);
  CHECK(index.company_lists() == expected.second);
}

TEST_CASE("upsert: rescoring one row or column keeps every list equal to a full ranking") {
  auto [buyers, companies] = random_event(11, 50, 30);
  MatchContext context = test_context();
  context.config.top_k = 4;
  MatchIndex index(context, buyers, companies);
  index.full_recompute(2);
  std::mt19937 random(3);
  for (int round = 0; round < 30; ++round) {
    const auto before_buyers = index.buyer_lists();
    const auto before_companies = index.company_lists();
    RescoreResult result;
    bool buyer_changed = round % 2 == 0;
    if (buyer_changed) {
      Buyer changed = index.buyer(random() % index.buyer_count());
      changed.categories = {round % 3 ? "dental.implants" : "digital_health.wearables"};
      changed.products_sought = round % 3 ? "titanium implant" : "ECG patch";
      changed.no_thanks = {"c" + std::to_string(random() % 30)};
      if (round == 10) changed.id = "b_new";  // a new buyer arrives
      result = index.upsert_buyer(changed);
    } else {
      Company changed = index.company(random() % index.company_count());
      changed.categories = {round % 4 ? "digital_health.wearables" : "dental"};
      changed.languages = {round % 3 ? "en" : "ko"};
      if (round == 12) changed.id = "c_new";
      result = index.upsert_company(changed);
    }
    const auto expected = testing::slow_ranking(index);
    REQUIRE(index.buyer_lists() == expected.first);
    REQUIRE(index.company_lists() == expected.second);
    const auto& before = buyer_changed ? before_companies : before_buyers;
    const auto& after = buyer_changed ? index.company_lists() : index.buyer_lists();
    std::vector<std::uint32_t> differing;
    for (std::uint32_t i = 0; i < after.size(); ++i) {
      if (i >= before.size() || before[i] != after[i]) differing.push_back(i);
    }
    CHECK(result.changed_counterparts == differing);
  }
}

TEST_CASE("upsert: a wish naming a company that registers later takes effect then") {
  Buyer b = buyer("b1");
  b.no_thanks = {"late"};
  MatchIndex index(test_context(), {b}, {company("c1")});
  index.full_recompute(1);
  Company late = company("c2");
  late.external_id = "late";
  const RescoreResult result = index.upsert_company(late);
  CHECK(result.own.empty());
  CHECK(index.score_pair(0, 1).removed_why == "no_thanks");
  CHECK(index.buyer_lists()[0].size() == 1);
}

TEST_CASE("bad input: invalid UTF-8 in a profile text is rejected with its field") {
  Buyer b = buyer("b1");
  b.products_sought = "ECG \xC3";
  try {
    MatchIndex index(test_context(), {b}, {company("c1")});
    FAIL("accepted invalid UTF-8");
  } catch (const Error& e) {
    CHECK(e.reason() == "invalid_utf8");
    CHECK(e.field() == "products_sought");
  }
}

TEST_CASE("config: parses every knob, rejects unknown keys and bad values naming the field") {
  const MatchConfig config = parse_match_config(R"({
    "version": 1, "top_k": 10, "reasons_kept": 2,
    "buyer_weights": {"category": 1, "text": 1, "market_target": 0, "marks": 0,
                      "cluster_tier": 0, "language": 0, "buyer_type": 0, "deal_size": 0},
    "hard_filters": {"require_common_language": false, "remove_met_before": false},
    "partial_fit": {"interpreter": 0.7},
    "must_meet": {"buyer_score": 99, "company_bonus": 5},
    "mutual": {"buyer_weight": 0.6},
    "usd_per_unit": {"USD": 1, "THB": 0.028}})");
  CHECK(config.top_k == 10);
  CHECK(config.buyer_weights[1] == 1);
  CHECK(config.buyer_weights[2] == 0);
  CHECK_FALSE(config.require_common_language);
  CHECK_FALSE(config.remove_met_before);
  CHECK(config.remove_no_thanks);
  CHECK(config.interpreter_fit == Approx(0.7));
  CHECK(config.must_meet_score == 99);
  CHECK(config.mutual_buyer_weight == Approx(0.6));
  CHECK(config.usd_per_unit.at("THB") == Approx(0.028));

  auto reason_and_field = [](const std::string& text) {
    try {
      parse_match_config(text);
    } catch (const Error& e) {
      return e.reason() + "@" + e.field();
    }
    return std::string("accepted");
  };
  CHECK(reason_and_field(R"({"buyer_weights": {"categroy": 1}})") ==
        "unknown_key@buyer_weights.categroy");
  CHECK(reason_and_field(R"({"buyer_weights": {"text": -1}})") ==
        "out_of_range@buyer_weights.text");
  CHECK(reason_and_field(R"({"company_weights": {"category": 0, "text": 0, "market_target": 0,
    "marks": 0, "cluster_tier": 0, "language": 0, "buyer_type": 0, "deal_size": 0}})") ==
        "zero_weights@company_weights");
  CHECK(reason_and_field(R"({"top_k": "20"})") == "not_a_number@top_k");
  CHECK(reason_and_field(R"({"top_k": 20)") == "malformed_json@");
  CHECK(reason_and_field(R"({"version": 2})") == "unsupported_version@version");
}

TEST_CASE("config: the shipped config/matching.json parses") {
  std::FILE* file = std::fopen(SANGDAM_SOURCE_DIR "/config/matching.json", "rb");
  REQUIRE(file != nullptr);
  std::string text;
  char chunk[4096];
  for (std::size_t n; (n = std::fread(chunk, 1, sizeof chunk, file)) > 0;) text.append(chunk, n);
  std::fclose(file);
  const MatchConfig config = parse_match_config(text);
  CHECK(config.top_k == 20);
}
