#include <catch2/catch.hpp>

#include "matching/catalog.hpp"
#include "matching/error.hpp"
#include "tests/support/source_files.hpp"

using sangdam::testing::read_repo_file;
using sangdam::testing::reason_of;

TEST_CASE("config/taxonomy.json loads with two levels of bio-health categories") {
  auto taxonomy = sangdam::Taxonomy::from_json(read_repo_file("config/taxonomy.json"));
  CHECK(taxonomy.categories().size() >= 40);
  for (const char* branch : {"dental", "orthopaedic", "ophthalmic", "ivd", "digital_health",
                             "wearables", "rehab_fitness", "cosmetic_medical", "pharma_bio",
                             "hospital_equipment", "medical_robots", "sleep"}) {
    INFO(branch);
    const sangdam::Category* category = taxonomy.find(branch);
    REQUIRE(category != nullptr);
    CHECK(category->parent.empty());
  }
  const sangdam::Category* implants = taxonomy.find("dental.implants");
  REQUIRE(implants != nullptr);
  CHECK(implants->parent == "dental");
  CHECK_FALSE(implants->name_ko.empty());
  CHECK_FALSE(implants->keywords_ko.empty());
  CHECK(taxonomy.branch_of("dental.implants") == "dental");
  CHECK(taxonomy.branch_of("sleep") == "sleep");
  CHECK_FALSE(taxonomy.contains("dental.nothing"));
}

TEST_CASE("config/markets.json gives marks, tier and languages per country") {
  auto markets = sangdam::Markets::from_json(read_repo_file("config/markets.json"));
  const sangdam::Market* vn = markets.find("VN");
  REQUIRE(vn != nullptr);
  CHECK(vn->tier == sangdam::MarketTier::kDeveloping);
  CHECK(vn->languages.front() == "vi");
  const sangdam::Market* kz = markets.find("KZ");
  REQUIRE(kz != nullptr);
  CHECK(kz->tier == sangdam::MarketTier::kCatchingUp);
  const sangdam::Market* ae = markets.find("AE");
  REQUIRE(ae != nullptr);
  CHECK(ae->tier == sangdam::MarketTier::kInnovationLeader);
  const sangdam::Market* us = markets.find("US");
  REQUIRE(us != nullptr);
  CHECK(us->required_marks == std::vector<std::string>{"FDA"});
  CHECK(markets.find("ZZ") == nullptr);
}

TEST_CASE("a broken taxonomy is refused naming the entry") {
  using sangdam::Taxonomy;
  CHECK(reason_of([] { Taxonomy::from_json("{\"categories\":[]}"); }) == "wrong_type@categories");
  CHECK(reason_of([] {
          Taxonomy::from_json(
              R"({"categories":[{"code":"dental","name_en":"D","name_ko":"치과"}]})");
        }) == "too_flat@categories");
  CHECK(reason_of([] {
          Taxonomy::from_json(R"({"categories":[{"code":"dental","name_en":"D","name_ko":"치과",
            "children":[{"code":"eye.lens","name_en":"L","name_ko":"렌즈"}]}]})");
        }) == "invalid_code@categories[0].children[0].code");
  CHECK(reason_of([] {
          Taxonomy::from_json(R"({"categories":[{"code":"dental","name_en":"D","name_ko":"치과",
            "children":[{"code":"dental.a","name_en":"A","name_ko":"가"},
                        {"code":"dental.a","name_en":"A","name_ko":"가"}]}]})");
        }) == "duplicate_code@categories[0].children[1].code");
  CHECK(reason_of([] { Taxonomy::from_json("{"); }) == "malformed_json@");
}

TEST_CASE("a broken markets file is refused naming the entry") {
  using sangdam::Markets;
  CHECK(reason_of([] {
          Markets::from_json(R"({"countries":[{"code":"XX","name":"x","tier":"developing",
            "languages":["en"]}]})");
        }) == "unknown_country@countries[0].code");
  CHECK(reason_of([] {
          Markets::from_json(R"({"countries":[{"code":"VN","name":"x","tier":"poor",
            "languages":["vi"]}]})");
        }) == "invalid_value@countries[0].tier");
  CHECK(reason_of([] {
          Markets::from_json(R"({"countries":[{"code":"VN","name":"x","tier":"developing",
            "languages":["xx"]}]})");
        }) == "unknown_language@countries[0].languages[0]");
}

TEST_CASE("ISO country and language lists are complete and exact") {
  for (const char* code : {"KR", "VN", "TH", "US", "KZ", "AE", "MN", "UZ", "SX", "ZW", "AD"}) {
    CHECK(sangdam::is_country_code(code));
  }
  for (const char* code : {"", "K", "kr", "UK", "EU", "XK", "ZZ", "KOR"}) {
    CHECK_FALSE(sangdam::is_country_code(code));
  }
  for (const char* code : {"ko", "vi", "th", "kk", "mn", "ar", "zu", "aa", "ms"}) {
    CHECK(sangdam::is_language_code(code));
  }
  for (const char* code : {"", "KO", "kor", "xx", "jp", "vn"}) {
    CHECK_FALSE(sangdam::is_language_code(code));
  }
}
