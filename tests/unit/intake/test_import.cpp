#include <catch2/catch.hpp>

#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "matching/error.hpp"
#include "matching/event/event.hpp"
#include "matching/intake/csv.hpp"
#include "matching/intake/import.hpp"

using namespace sangdam;
using namespace sangdam::intake;

namespace {

std::string read_repo_file(const std::string& relative) {
  std::ifstream in(std::string(SANGDAM_SOURCE_DIR) + "/" + relative, std::ios::binary);
  REQUIRE(in.good());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

const Taxonomy& repo_taxonomy() {
  static const Taxonomy kTaxonomy = Taxonomy::from_json(read_repo_file("config/taxonomy.json"));
  return kTaxonomy;
}

EventContext context() {
  return EventContext{&repo_taxonomy(), 36, {"gravity", "kins"}};
}

std::string file_error(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.reason() + "@" + e.field();
  }
  return "no error";
}

}  // namespace

TEST_CASE("the CSV reader follows RFC 4180") {
  std::string text =
      "\xEF\xBB\xBF"
      "a,b,c\r\n"
      "1,\"x, y\",\"say \"\"hi\"\"\"\r\n"
      "\r\n"
      "2,\"two\nlines\",\n"
      "3,\xEC\x84\xB1\xEB\x82\xA8,z";
  auto records = parse_csv(text, 100);
  REQUIRE(records.size() == 5);
  CHECK(records[0].fields == std::vector<std::string>{"a", "b", "c"});
  CHECK(records[0].row == 1);
  CHECK(records[1].fields == std::vector<std::string>{"1", "x, y", "say \"hi\""});
  CHECK(records[2].fields.empty());  // the blank line still counts as a row
  CHECK(records[3].row == 4);
  CHECK(records[3].line == 4);
  CHECK(records[3].fields == std::vector<std::string>{"2", "two\nlines", ""});
  CHECK(records[4].row == 5);
  CHECK(records[4].line == 6);
  CHECK(records[4].fields == std::vector<std::string>{"3", "성남", "z"});
}

TEST_CASE("malformed CSV quoting fails the row, an unclosed quote fails the file") {
  auto records = parse_csv("a,b\nx\"y,1\n\"q\"r,2\nok,3\n", 100);
  REQUIRE(records.size() == 4);
  CHECK(records[1].error == "stray_quote");
  CHECK(records[2].error == "text_after_quote");
  CHECK(records[2].error_column == 0);
  CHECK(records[3].error.empty());
  CHECK(file_error([] { parse_csv("a,b\n1,\"open\n2,3\n", 100); }) == "unterminated_quote@row 2");
  CHECK(file_error([] { parse_csv("a\n1\n2\n3\n", 3); }) == "too_many_rows@");
}

TEST_CASE("a CSV import rejects exactly the bad rows with their reasons and takes the rest") {
  const std::string header =
      "external_id,organisation,contact_name,country,buyer_type,categories,budget_min,"
      "budget_currency,languages,products_sought\n";
  std::string long_name(kMaxNameBytes + 1, 'x');
  std::string text =
      header +
      "B-01,Hanoi "
      "Hospital,An,VN,hospital,hospital_equipment.respiratory,500000,USD,vi;en,산소발생기\n"  // 2
                                                                                              // ok
      "B-02,,Binh,VN,hospital,hospital_equipment.respiratory,,,vi,\n"  // 3 missing organisation
      "B-03,Atlantis Med,Chau,XA,importer,ivd.rapid,,,en,\n"           // 4 unknown country
      "B-04,Bangkok Med,Dung,TH,importer,ivd.nothing,,,th,\n"          // 5 unknown category
      "B-05,Siam Med,Ha,TH,distributor,ivd.rapid,12.345,USD,th,\n"     // 6 bad money
      "B-06,Bad \xC3\x28 Text,Long,TH,distributor,ivd.rapid,,,th,\n"   // 7 invalid UTF-8
      "B-01,Hanoi Hospital again,An,VN,hospital,ivd.rapid,,,vi,\n"     // 8 duplicate id
      "B-08," +
      long_name +
      ",Minh,VN,importer,ivd.rapid,,,vi,\n"  // 9 too long
      "B-09,\"Saigon Med, Ltd.\",\"Tran \"\"Tom\"\"\",VN,retailer,ivd.rapid;sleep.products,"
      "100000.5,usd,vi,\"two\nlines\"\n";  // 10 ok
  auto report = parse_import_csv(text, Role::kBuyer, context());
  REQUIRE(report.size() == 9);
  std::map<int, std::pair<std::string, std::string>> rejected;
  std::vector<int> accepted;
  for (const auto& row : report) {
    if (row.ok) {
      accepted.push_back(row.row);
    } else {
      rejected[row.row] = {row.reason, row.field};
      CHECK_FALSE(row.participant.has_value());
      CHECK_FALSE(row.message.empty());
    }
  }
  CHECK(accepted == std::vector<int>{2, 10});
  CHECK(rejected[3] == std::pair<std::string, std::string>{"missing_field", "organisation"});
  CHECK(rejected[4] == std::pair<std::string, std::string>{"unknown_country", "country"});
  CHECK(rejected[5] == std::pair<std::string, std::string>{"unknown_category", "categories"});
  CHECK(rejected[6] == std::pair<std::string, std::string>{"invalid_money", "budget_min"});
  CHECK(rejected[7] == std::pair<std::string, std::string>{"invalid_utf8", "organisation"});
  CHECK(rejected[8] == std::pair<std::string, std::string>{"duplicate_external_id", "external_id"});
  CHECK(rejected[9] == std::pair<std::string, std::string>{"too_long", "organisation"});
  CHECK(rejected.size() == 7);
  CHECK(report[6].external_id == "B-01");

  const Buyer& b = std::get<Buyer>(*report.back().participant);
  CHECK(b.external_id == "B-09");
  CHECK(b.organisation == "Saigon Med, Ltd.");
  CHECK(b.contact_name == "Tran \"Tom\"");
  CHECK(b.categories == std::vector<std::string>{"ivd.rapid", "sleep.products"});
  CHECK(b.budget_min->hundredths == 10000050);
  CHECK(b.budget_min->currency == "USD");
  CHECK(b.products_sought == "two\nlines");
  CHECK(std::get<Buyer>(*report[0].participant).products_sought == "산소발생기");
}

TEST_CASE("CSV roles come from a role column, a parameter or the header") {
  const std::string mixed =
      "role,external_id,organisation,country,buyer_type,categories,languages,name_en,venue,"
      "products,seats\n"
      "buyer,B-1,Org,VN,importer,ivd.rapid,vi,,,,\n"
      "company,C-1,,,,ivd.rapid,ko,Rapidtech,gravity,\"Kit|Antigen kit\\; 10 min|CE,MFDS|382219;"
      "Reader|Strip reader\",2\n"
      "company,C-2,Org,,,ivd.rapid,ko,Other,gravity,,\n"
      "visitor,V-1,,,,,,,,,\n";
  auto report = parse_import_csv(mixed, std::nullopt, context());
  REQUIRE(report.size() == 4);
  CHECK(report[0].ok);
  CHECK(std::holds_alternative<Buyer>(*report[0].participant));
  REQUIRE(report[1].ok);
  const Company& c = std::get<Company>(*report[1].participant);
  REQUIRE(c.products.size() == 2);
  CHECK(c.products[0].description == "Antigen kit; 10 min");
  CHECK(c.products[0].certifications == std::vector<std::string>{"CE", "MFDS"});
  CHECK(c.products[0].hs_code == "382219");
  CHECK(c.products[1].name == "Reader");
  CHECK(c.seats == 2);
  CHECK(report[2].reason == "field_not_for_role");
  CHECK(report[2].field == "organisation");
  CHECK(report[3].reason == "invalid_value");
  CHECK(report[3].field == "role");

  // No role column, no parameter: the header's columns decide.
  auto by_header = parse_import_csv(
      "external_id,name_en,categories,languages,venue\nC-9,Ninetech,ivd.rapid,ko,kins\n",
      std::nullopt, context());
  REQUIRE(by_header.size() == 1);
  CHECK(by_header[0].ok);
  CHECK(std::holds_alternative<Company>(*by_header[0].participant));
  CHECK(file_error([] {
          parse_import_csv("external_id,categories\nX,ivd.rapid\n", std::nullopt, context());
        }) == "missing_role@role");
}

TEST_CASE("file-level CSV problems refuse the whole file") {
  CHECK(file_error([] { parse_import_csv("", Role::kBuyer, context()); }) == "empty_file@");
  CHECK(file_error([] {
          parse_import_csv("external_id,organisaton\nB,x\n", Role::kBuyer, context());
        }) == "unknown_column@organisaton");
  CHECK(file_error([] {
          parse_import_csv("external_id,EXTERNAL_ID\nB,x\n", Role::kBuyer, context());
        }) == "duplicate_column@external_id");
  auto short_row = parse_import_csv("external_id,organisation\nB-1\n", Role::kBuyer, context());
  REQUIRE(short_row.size() == 1);
  CHECK(short_row[0].reason == "wrong_field_count");
}

TEST_CASE("a JSON array import gives the same per-row report") {
  const char* text = R"([
    {"role":"buyer","external_id":"B-1","organisation":"Org","country":"VN","buyer_type":"hospital",
     "categories":["hospital_equipment.respiratory"],"languages":["vi"]},
    {"role":"buyer","external_id":"B-2","organisation":"Org","country":"VN","buyer_type":"hospital",
     "categories":["hospital_equipment.respiratory"],"languages":["vi"],"budget_min":{"amount":"1e6","currency":"USD"}},
    {"external_id":"C-1","name_en":"X","categories":["ivd.rapid"],"languages":["ko"],"venue":"kins"},
    {"role":"buyer","external_id":"B-1","organisation":"Again","country":"VN","buyer_type":"hospital",
     "categories":["hospital_equipment.respiratory"],"languages":["vi"]},
    "not an object"
  ])";
  auto report = parse_import_json(std::string_view(text), Role::kCompany, context());
  REQUIRE(report.size() == 5);
  CHECK(report[0].ok);
  CHECK(report[1].reason == "invalid_money");
  CHECK(report[1].field == "budget_min.amount");
  CHECK(report[1].row == 2);
  CHECK(report[2].ok);
  CHECK(std::holds_alternative<Company>(*report[2].participant));
  CHECK(report[3].reason == "duplicate_external_id");
  CHECK(report[4].reason == "wrong_type");
  CHECK(file_error([] { parse_import_json(std::string_view("{}"), Role::kBuyer, context()); }) ==
        "wrong_type@");
}

TEST_CASE("the Seongnam sample files import with zero rejected rows") {
  auto event = event::parse_event(read_repo_file("config/samples/seongnam-2023/event.json"));
  EventContext ctx = context_for(event, &repo_taxonomy());
  CHECK(ctx.slot_count == 36);
  CHECK(ctx.venue_ids.size() == 4);

  auto buyers = parse_import_csv(read_repo_file("config/samples/seongnam-2023/buyers.csv"),
                                 std::nullopt, ctx);
  auto companies = parse_import_csv(read_repo_file("config/samples/seongnam-2023/companies.csv"),
                                    std::nullopt, ctx);
  for (const auto& row : buyers) {
    INFO("buyers.csv row " << row.row << ": " << row.reason << " " << row.field << " "
                           << row.message);
    CHECK(row.ok);
  }
  for (const auto& row : companies) {
    INFO("companies.csv row " << row.row << ": " << row.reason << " " << row.field << " "
                              << row.message);
    CHECK(row.ok);
  }
  REQUIRE(buyers.size() == 50);
  REQUIRE(companies.size() == 58);

  std::set<std::string> countries;
  std::set<std::string> company_ids;
  bool vn_oxygen_hospital = false, th_government = false, us_lab = false;
  for (const auto& row : companies) {
    const Company& c = std::get<Company>(*row.participant);
    company_ids.insert(c.external_id);
    CHECK(event.find_venue(c.venue) != nullptr);
    for (const auto& code : c.categories) CHECK(repo_taxonomy().contains(code));
  }
  for (const auto& row : buyers) {
    const Buyer& b = std::get<Buyer>(*row.participant);
    countries.insert(b.country);
    for (const auto& code : b.categories) CHECK(repo_taxonomy().contains(code));
    for (const auto& wanted : b.must_meet) CHECK(company_ids.contains(wanted));
    vn_oxygen_hospital =
        vn_oxygen_hospital ||
        (b.country == "VN" && b.type == BuyerType::kHospital &&
         b.categories == std::vector<std::string>{"hospital_equipment.respiratory"});
    th_government = th_government || (b.country == "TH" && b.type == BuyerType::kGovernment);
    us_lab =
        us_lab || (b.country == "US" && b.organisation.find("Laboratory") != std::string::npos);
  }
  CHECK(countries.size() == 15);
  CHECK(vn_oxygen_hospital);
  CHECK(th_government);
  CHECK(us_lab);

  std::string all_products;
  for (const auto& row : companies) {
    for (const auto& p : std::get<Company>(*row.participant).products)
      all_products += p.name + "\n";
  }
  for (const char* named :
       {"AI smart baby crib", "AI cervical-cancer screening system",
        "AI eye-health self-diagnosis kiosk", "Motion-recognition fitness", "Wearable ECG device",
        "Medical oxygen generator", "Portable electrode-ion water heater"}) {
    INFO(named);
    CHECK(all_products.find(named) != std::string::npos);
  }
}
