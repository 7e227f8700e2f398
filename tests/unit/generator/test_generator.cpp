#include <rapidjson/document.h>
#include <catch2/catch.hpp>

#include <algorithm>

#include "matching/error.hpp"
#include "matching/event/event.hpp"
#include "matching/generator/event_generator.hpp"

using namespace sangdam;
using namespace sangdam::generator;

TEST_CASE("generator: the same seed gives the same event, another seed another") {
  const GeneratorOptions options{40, 30, 7, 4};
  const auto a = generate_event(options);
  const auto b = generate_event(options);
  CHECK(buyers_json(a) == buyers_json(b));
  CHECK(companies_json(a) == companies_json(b));
  CHECK(truth_json(a) == truth_json(b));
  CHECK(event_json(a) == event_json(b));
  GeneratorOptions other = options;
  other.seed = 8;
  CHECK(buyers_json(generate_event(other)) != buyers_json(a));
}

TEST_CASE("generator: profiles use the reference data and planted truth is consistent") {
  const Taxonomy taxonomy = builtin_taxonomy();
  const Markets markets = builtin_markets();
  const auto event = generate_event(GeneratorOptions{200, 120, 3, 4}, &taxonomy, &markets);
  REQUIRE(event.buyers.size() == 200);
  REQUIRE(event.companies.size() == 120);
  REQUIRE(event.truth.size() == 200);
  std::size_t korean_texts = 0;
  for (const auto& c : event.companies) {
    for (const auto& code : c.categories) CHECK(taxonomy.contains(code));
    for (const auto& m : c.target_markets) CHECK(markets.find(m) != nullptr);
    for (int slot : c.unavailable_slots) CHECK((slot >= 0 && slot < event.slot_count));
    for (const auto& p : c.products) {
      if (p.description.find("제품") != std::string::npos) ++korean_texts;
    }
  }
  CHECK(korean_texts > 0);
  std::size_t with_intended = 0;
  for (std::size_t i = 0; i < event.buyers.size(); ++i) {
    const auto& b = event.buyers[i];
    const auto& truth = event.truth[i];
    CHECK(markets.find(b.country) != nullptr);
    CHECK(truth.true_market == b.country);
    CHECK_FALSE(b.languages.empty());
    CHECK(truth.intended.size() <= 4);
    with_intended += !truth.intended.empty();
    for (auto c : truth.intended) {
      // An intended company sells one of the buyer's true categories.
      const auto& offered = event.companies[c].categories;
      CHECK(std::any_of(offered.begin(), offered.end(), [&](const std::string& code) {
        return std::find(truth.true_categories.begin(), truth.true_categories.end(), code) !=
               truth.true_categories.end();
      }));
      CHECK(std::find(truth.relevant.begin(), truth.relevant.end(), c) == truth.relevant.end());
    }
  }
  CHECK(with_intended > 150);
  // Every buyer language other than Korean has an interpreter pair with Korean.
  for (const auto& b : event.buyers) {
    for (const auto& language : b.languages) {
      if (language == "ko") continue;
      CHECK(std::find(event.interpreter_pairs.begin(), event.interpreter_pairs.end(),
                      language + "-ko") != event.interpreter_pairs.end());
    }
  }
}

TEST_CASE("generator: files are JSON in the API field names") {
  const auto event = generate_event(GeneratorOptions{5, 6, 1, 3});
  rapidjson::Document buyers;
  buyers.Parse(buyers_json(event).c_str());
  REQUIRE_FALSE(buyers.HasParseError());
  REQUIRE(buyers.IsArray());
  REQUIRE(buyers.Size() == 5);
  for (const char* key :
       {"role", "external_id", "organisation", "contact_name", "email", "country", "buyer_type",
        "categories", "products_sought", "certifications", "budget_min", "budget_max", "languages",
        "hosted", "unavailable_slots", "must_meet", "no_thanks", "met_before"}) {
    CHECK(buyers[0].HasMember(key));
  }
  CHECK(std::string(buyers[0]["role"].GetString()) == "buyer");
  CHECK(buyers[0]["budget_max"]["amount"].IsString());
  rapidjson::Document companies;
  companies.Parse(companies_json(event).c_str());
  REQUIRE(companies.IsArray());
  for (const char* key : {"role", "external_id", "name_ko", "name_en", "email", "categories",
                          "products", "certifications", "target_markets", "languages", "min_deal",
                          "venue", "table", "seats", "unavailable_slots", "cluster_type"}) {
    CHECK(companies[0].HasMember(key));
  }
  CHECK(companies[0]["products"][0].HasMember("hs_code"));
  rapidjson::Document body;
  body.Parse(event_json(event).c_str());
  REQUIRE(body.IsObject());
  CHECK(std::string(body["time_zone"].GetString()) == "Asia/Seoul");
  CHECK(body["days"].Size() == 3);
  CHECK(body["venues"].Size() == 4);
  rapidjson::Document truth;
  truth.Parse(truth_json(event).c_str());
  REQUIRE(truth.IsArray());
  CHECK(truth[0].HasMember("intended"));
}

TEST_CASE("generator: oversize requests are refused with the field named") {
  try {
    generate_event(GeneratorOptions{kMaxBuyers + 1, 1, 1, 1});
    FAIL("accepted");
  } catch (const Error& e) {
    CHECK(e.reason() == "too_large");
    CHECK(e.field() == "buyers");
  }
  Taxonomy branches_only;
  branches_only.add(Category{"dental", "", "Dental", "치과", {}, {}});
  CHECK_THROWS_AS(generate_event(GeneratorOptions{}, &branches_only), Error);
}

TEST_CASE("generator: the event is one POST /v1/events accepts, at any size") {
  for (std::size_t companies : {6, 5000}) {
    INFO(companies << " companies");
    const auto event = generate_event(GeneratorOptions{2000, companies, 7, 3});
    const auto parsed = sangdam::event::parse_event(event_json(event));
    CHECK(parsed.venues.size() == 4);
    CHECK(parsed.travel.size() == 6);  // every pair of venues has a travel time
    for (const auto& c : event.companies) {
      CHECK(parsed.find_venue(c.venue) != nullptr);
    }
  }
}
