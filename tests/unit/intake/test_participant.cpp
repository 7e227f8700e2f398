#include <catch2/catch.hpp>

#include <functional>

#include "matching/error.hpp"
#include "matching/intake/json_reader.hpp"
#include "matching/intake/participant.hpp"

using namespace sangdam;
using namespace sangdam::intake;

namespace {

Taxonomy small_taxonomy() {
  return Taxonomy::from_json(R"({"categories":[
    {"code":"hospital_equipment","name_en":"Hospital","name_ko":"병원","children":[
      {"code":"hospital_equipment.respiratory","name_en":"Oxygen","name_ko":"산소"}]},
    {"code":"wearables","name_en":"Wearables","name_ko":"웨어러블","children":[
      {"code":"wearables.cardiac","name_en":"ECG","name_ko":"심전도"}]}]})");
}

const Taxonomy& taxonomy() {
  static const Taxonomy kTaxonomy = small_taxonomy();
  return kTaxonomy;
}

EventContext context() {
  return EventContext{&taxonomy(), 36, {"gravity", "kins"}};
}

const char* const kBuyer = R"({"role":"buyer","external_id":"B-VN-01",
  "organisation":"Hanoi General Hospital","contact_name":"Nguyen Van An","email":"an@hospital.example",
  "country":"vn","buyer_type":"hospital","categories":["hospital_equipment.respiratory"],
  "products_sought":"의료용 산소발생기\nPSA oxygen generator","certifications":["CE","ISO 13485"],
  "budget_min":{"amount":"500000","currency":"usd"},"budget_max":{"amount":"2000000.00","currency":"USD"},
  "languages":["VI","en"],"hosted":true,"unavailable_slots":[4,3,4],"must_meet":["C-006"],
  "no_thanks":[],"met_before":["C-010"]})";

const char* const kCompany = R"({"role":"company","external_id":"C-006","name_ko":"(주)산소텍",
  "name_en":"Oxytech Co., Ltd.","email":"export@oxytech.example.kr",
  "categories":["hospital_equipment.respiratory"],
  "products":[{"name":"Medical oxygen generator","description":"PSA, 93%","certifications":["CE"],
               "hs_code":"9019.20"}],
  "certifications":["MFDS","CE"],"target_markets":["vn","TH"],"languages":["ko","en"],
  "min_deal":{"amount":"100000.00","currency":"USD"},"venue":"gravity","table":"T6","seats":2,
  "unavailable_slots":[35],"cluster_type":"production"})";

rapidjson::Document doc(const std::string& text) {
  return parse_json_text(text);
}

// The reason and field of the error that `parse` raises on `profile` with one member replaced
// (value_json "null": the member removed).
template <class Parse>
std::string error_with(const char* profile, Parse&& parse, const std::string& key,
                       const std::string& value_json) {
  rapidjson::Document d = doc(profile);
  rapidjson::Document value = doc("[" + value_json + "]");
  d.RemoveMember(key.c_str());
  if (value_json != "null") {
    d.AddMember(rapidjson::Value(key.c_str(), d.GetAllocator()),
                rapidjson::Value(value[0], d.GetAllocator()), d.GetAllocator());
  }
  try {
    parse(d, context());
  } catch (const Error& e) {
    return e.reason() + "@" + e.field();
  }
  return "no error";
}

std::string buyer_error(const std::string& key, const std::string& value_json) {
  return error_with(
      kBuyer, [](const auto& d, const auto& c) { parse_buyer(d, c); }, key, value_json);
}

std::string company_error(const std::string& key, const std::string& value_json) {
  return error_with(
      kCompany, [](const auto& d, const auto& c) { parse_company(d, c); }, key, value_json);
}

}  // namespace

TEST_CASE("a full buyer profile parses and normalises codes") {
  Buyer b = parse_buyer(doc(kBuyer), context());
  CHECK(b.external_id == "B-VN-01");
  CHECK(b.country == "VN");
  CHECK(b.type == BuyerType::kHospital);
  CHECK(b.languages == std::vector<std::string>{"vi", "en"});
  CHECK(b.products_sought == "의료용 산소발생기\nPSA oxygen generator");
  REQUIRE(b.budget_min.has_value());
  CHECK(b.budget_min->hundredths == 50000000);
  CHECK(b.budget_min->currency == "USD");
  CHECK(b.budget_max->hundredths == 200000000);
  CHECK(b.hosted);
  CHECK(b.unavailable_slots == std::vector<int>{3, 4});
  CHECK(b.must_meet == std::vector<std::string>{"C-006"});
  CHECK(b.met_before == std::vector<std::string>{"C-010"});
}

TEST_CASE("a full company profile parses") {
  Company c = parse_company(doc(kCompany), context());
  CHECK(c.name_ko == "(주)산소텍");
  REQUIRE(c.products.size() == 1);
  CHECK(c.products[0].hs_code == "901920");
  CHECK(c.target_markets == std::vector<std::string>{"VN", "TH"});
  CHECK(c.seats == 2);
  CHECK(c.cluster == ClusterType::kProduction);
  CHECK(c.venue == "gravity");
  CHECK(c.min_deal->hundredths == 10000000);
}

TEST_CASE("every bad buyer field is refused with its reason and path") {
  CHECK(buyer_error("external_id", "null") == "missing_field@external_id");
  CHECK(buyer_error("external_id", R"("B 01")") == "invalid_external_id@external_id");
  CHECK(buyer_error("organisation", R"("  ")") == "missing_field@organisation");
  CHECK(buyer_error("organisation", '"' + std::string(kMaxNameBytes + 1, 'x') + '"') ==
        "too_long@organisation");
  CHECK(buyer_error("organisation", R"("a\u0001b")") == "invalid_text@organisation");
  CHECK(buyer_error("organisation", "42") == "wrong_type@organisation");
  CHECK(buyer_error("country", R"("XX")") == "unknown_country@country");
  CHECK(buyer_error("country", "null") == "missing_field@country");
  CHECK(buyer_error("buyer_type", R"("reseller")") == "invalid_value@buyer_type");
  CHECK(buyer_error("categories", "[]") == "missing_field@categories");
  CHECK(buyer_error("categories", R"(["wearables.cardiac","dental.x"])") ==
        "unknown_category@categories[1]");
  CHECK(buyer_error("languages", R"(["vi","xx"])") == "unknown_language@languages[1]");
  CHECK(buyer_error("budget_min", R"({"amount":"12,000","currency":"USD"})") ==
        "invalid_money@budget_min.amount");
  CHECK(buyer_error("budget_min", R"({"amount":12000,"currency":"USD"})") ==
        "invalid_money@budget_min.amount");
  CHECK(buyer_error("budget_min", R"({"amount":"12000","currency":"ABC"})") ==
        "unknown_currency@budget_min.currency");
  CHECK(buyer_error("budget_min", R"({"amount":"9000000","currency":"USD"})") ==
        "inverted_range@budget_min");
  CHECK(buyer_error("email", R"("not-an-email")") == "invalid_email@email");
  CHECK(buyer_error("hosted", R"("yes")") == "wrong_type@hosted");
  CHECK(buyer_error("unavailable_slots", "[1,36]") == "out_of_range@unavailable_slots[1]");
  CHECK(buyer_error("unavailable_slots", R"(["1"])") == "wrong_type@unavailable_slots[0]");
  CHECK(buyer_error("no_thanks", R"(["C-006"])") == "contradictory_wishes@no_thanks");
  CHECK(buyer_error("role", R"("company")") == "wrong_role@role");
  CHECK(buyer_error("favourite_colour", R"("blue")") == "unknown_field@favourite_colour");
  std::string many = "[";
  for (std::size_t i = 0; i <= kMaxListItems; ++i)
    many += (i ? ",\"C" : "\"C") + std::to_string(i) + "\"";
  CHECK(buyer_error("must_meet", many + "]") == "too_many_items@must_meet");
}

TEST_CASE("every bad company field is refused with its reason and path") {
  CHECK(company_error("name_en", "null") == "no error");
  rapidjson::Document nameless = doc(kCompany);
  nameless.RemoveMember("name_en");
  nameless.RemoveMember("name_ko");
  CHECK_THROWS_AS(parse_company(nameless, context()), Error);
  CHECK(company_error("venue", R"("coex")") == "unknown_venue@venue");
  CHECK(company_error("venue", "null") == "missing_field@venue");
  CHECK(company_error("seats", "0") == "out_of_range@seats");
  CHECK(company_error("seats", "21") == "out_of_range@seats");
  CHECK(company_error("cluster_type", R"("giant")") == "invalid_value@cluster_type");
  CHECK(company_error("target_markets", R"(["VN","EU"])") == "unknown_country@target_markets[1]");
  CHECK(company_error("products", R"([{"name":"x","hs_code":"12"}])") ==
        "invalid_hs_code@products[0].hs_code");
  CHECK(company_error("products", R"([{"description":"x"}])") == "missing_field@products[0].name");
  CHECK(company_error("products", R"([{"name":"x","price":1}])") ==
        "unknown_field@products[0].price");
  CHECK(company_error("min_deal", R"({"amount":"-5","currency":"USD"})") ==
        "invalid_money@min_deal.amount");
}

TEST_CASE("parse_participant picks the parser by role") {
  auto buyer = parse_participant(doc(kBuyer), context());
  CHECK(std::holds_alternative<Buyer>(buyer));
  auto company = parse_participant(doc(kCompany), context());
  CHECK(std::holds_alternative<Company>(company));
  CHECK_THROWS_AS(parse_participant(doc(R"({"role":"guest"})"), context()), Error);
  CHECK_THROWS_AS(parse_participant(doc(R"({"external_id":"x"})"), context()), Error);
}

TEST_CASE("public JSON hides private fields, full JSON round-trips through the parser") {
  Buyer b = parse_buyer(doc(kBuyer), context());
  b.id = "p_1";
  std::string pub = to_json(b, Visibility::kPublic);
  for (const char* hidden : {"email", "budget_min", "budget_max", "hosted", "unavailable_slots",
                             "must_meet", "no_thanks", "met_before", "external_id"}) {
    INFO(hidden);
    CHECK(pub.find(std::string("\"") + hidden + "\"") == std::string::npos);
  }
  CHECK(pub.find("\"organisation\":\"Hanoi General Hospital\"") != std::string::npos);
  CHECK(pub.find("\"id\":\"p_1\"") != std::string::npos);
  std::string full = to_json(b, Visibility::kFull);
  CHECK(full.find("\"email\":\"an@hospital.example\"") != std::string::npos);
  Buyer again = parse_buyer(doc(full), context());
  again.id = b.id;  // read-only on input
  CHECK(to_json(again, Visibility::kFull) == full);

  Company c = parse_company(doc(kCompany), context());
  std::string cpub = to_json(c, Visibility::kPublic);
  CHECK(cpub.find("min_deal") == std::string::npos);
  CHECK(cpub.find("email") == std::string::npos);
  CHECK(cpub.find("\"hs_code\":\"901920\"") != std::string::npos);
  Company c2 = parse_company(doc(to_json(c, Visibility::kFull)), context());
  CHECK(to_json(c2, Visibility::kFull) == to_json(c, Visibility::kFull));
}

TEST_CASE("a patch changes only the given fields and keeps identity") {
  Buyer b = parse_buyer(doc(kBuyer), context());
  b.id = "p_7";
  Buyer patched =
      apply_patch(b, doc(R"({"country":"TH","budget_max":null,"role":"buyer"})"), context());
  CHECK(patched.id == "p_7");
  CHECK(patched.country == "TH");
  CHECK_FALSE(patched.budget_max.has_value());
  CHECK(patched.organisation == b.organisation);
  CHECK(patched.unavailable_slots == b.unavailable_slots);

  auto error_of = [&](const char* patch) {
    try {
      apply_patch(b, doc(patch), context());
    } catch (const Error& e) {
      return e.reason() + "@" + e.field();
    }
    return std::string("no error");
  };
  CHECK(error_of(R"({"external_id":"B-VN-02"})") == "immutable_field@external_id");
  CHECK(error_of(R"({"external_id":"B-VN-01"})") == "no error");
  CHECK(error_of(R"({"role":"company"})") == "immutable_field@role");
  CHECK(error_of(R"({"country":"ZZ"})") == "unknown_country@country");
  CHECK(error_of(R"({"organisation":null})") == "missing_field@organisation");

  Company c = parse_company(doc(kCompany), context());
  Company moved = apply_patch(c, doc(R"({"venue":"kins","table":"K1"})"), context());
  CHECK(moved.venue == "kins");
  CHECK(moved.products.size() == 1);
}
