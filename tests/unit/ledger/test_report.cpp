#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include "ledger_fixtures.hpp"
#include "matching/error.hpp"
#include "matching/ledger/report.hpp"

using namespace sangdam;
using namespace sangdam::ledger;
using namespace sangdam::ledger::testing;

namespace {

const ReportLine& line_of(const Report& report, std::string_view dimension, std::string_view key) {
  for (const auto& line : report.lines) {
    if (line.dimension == dimension && line.key == key) return line;
  }
  FAIL("no line " << dimension << "/" << key);
  throw std::logic_error("unreachable");
}

// The reference event's published outcome: 229 consultations worth USD 7.7M, 4 MOUs worth
// USD 2.1M (one of them the water-heater maker's USD 1M MOU with a US lab-services firm), and
// on-site contracts worth USD 1.8M (the oxygen-generator maker's supply contract with a
// Vietnamese medical institution).
Ledger published_event() {
  Ledger ledger;
  ledger.apply(ParticipantRecord{"b_vn", true, "Vietnamese medical institution", "VN", ""});
  ledger.apply(ParticipantRecord{"b_us", true, "US lab-services firm", "US", ""});
  ledger.apply(ParticipantRecord{"b_idle", true, "Buyer without meetings", "TH", ""});
  ledger.apply(ParticipantRecord{"c_oxygen", false, "Oxygen generator maker", "", "devices"});
  ledger.apply(ParticipantRecord{"c_heater", false, "Water heater maker", "", "wellness"});
  const char* buyers[] = {"b_vn", "b_us"};
  const char* companies[] = {"c_oxygen", "c_heater"};
  const char* days[] = {"2023-09-13", "2023-09-14", "2023-09-15"};
  // 229 held consultations: 228 worth USD 33,000 each and one worth USD 176,000.
  for (int i = 0; i < 229; ++i) {
    std::string id = "m" + std::to_string(i);
    MeetingRecord m = meeting(id, buyers[i % 2], companies[(i / 2) % 2], i % 2 ? "US" : "VN",
                              days[i % 3], i % 5 == 0 ? "kins-tower" : "pangyo-gravity");
    m.company_name = companies[(i / 2) % 2];
    m.category = (i / 2) % 2 ? "wellness" : "devices";
    ledger.apply(m);
    ledger.apply(held("r" + std::to_string(i), id, Side::kCompany, usd(i == 0 ? 176'000 : 33'000),
                      Rating::kInformative));
  }
  // Ten more meetings that were no-shows, and one cancelled meeting that must not count.
  for (int i = 229; i < 239; ++i) {
    std::string id = "m" + std::to_string(i);
    ledger.apply(meeting(id, "b_vn", "c_heater", "VN", "2023-09-15"));
    ledger.apply(no_show("r" + std::to_string(i), id, Side::kOrganizer, Absent::kBuyer));
  }
  MeetingRecord cancelled = meeting("m_cancelled", "b_us", "c_oxygen", "US");
  cancelled.status = MeetingStatus::kCancelled;
  ledger.apply(cancelled);
  ledger.apply(held("r_cancelled", "m_cancelled", Side::kBuyer, usd(1'000'000)));

  ledger.apply(deal_version("d_oxygen", 1, DealKind::kContract, usd(1'800'000), DealStatus::kSigned,
                            {"m0"}, "b_vn", "c_oxygen", true));
  ledger.apply(deal_version("d_heater", 1, DealKind::kMou, usd(1'000'000), DealStatus::kSigned,
                            {"m3"}, "b_us", "c_heater"));
  ledger.apply(deal_version("d_mou2", 1, DealKind::kMou, usd(500'000), DealStatus::kSigned, {},
                            "b_vn", "c_heater"));
  ledger.apply(deal_version("d_mou3", 1, DealKind::kMou, usd(400'000), DealStatus::kSigned, {},
                            "b_vn", "c_oxygen"));
  // The fourth MOU was first recorded at the wrong value, then corrected (version 2).
  ledger.apply(deal_version("d_mou4", 1, DealKind::kMou, usd(999'000), DealStatus::kSigned, {},
                            "b_us", "c_oxygen"));
  ledger.apply(deal_version("d_mou4", 2, DealKind::kMou, usd(200'000), DealStatus::kSigned, {},
                            "b_us", "c_oxygen"));
  // A cancelled MOU counts nowhere.
  ledger.apply(deal_version("d_gone", 1, DealKind::kMou, usd(50'000)));
  ledger.apply(deal_version("d_gone", 2, DealKind::kMou, usd(50'000), DealStatus::kCancelled));
  return ledger;
}

}  // namespace

TEST_CASE("the report reproduces the reference event's published totals") {
  Report report = compute_report(published_event().state(), sample_rates());
  const ReportLine& total = report.total;
  CHECK(total.meetings == 239);
  CHECK(total.held == 229);
  CHECK(total.no_shows == 10);
  CHECK(total.no_show_rate == "0.0418");  // 10 / 239
  CHECK(total.held_value.usd == 770'000'000);
  CHECK(total.held_value.krw == 1'000'000'000'000);  // KRW 10bn, as published
  CHECK(total.mous == 4);
  CHECK(total.mou_value.usd == 210'000'000);
  CHECK(total.mou_value.krw == 272'727'272'727);  // "about KRW 2.7bn"
  CHECK(total.contracts == 1);
  CHECK(total.on_site_contracts == 1);
  CHECK(total.on_site_contract_value.usd == 180'000'000);
  CHECK(total.ratings[static_cast<int>(Rating::kInformative)] == 229);
  CHECK(total.ratings[static_cast<int>(Rating::kDidNotTakePlace)] == 10);
  CHECK(report.rates_date == "2023-09-13");

  const ReportLine& vietnam = line_of(report, "buyer_country", "VN");
  CHECK(vietnam.contracts == 1);
  CHECK(vietnam.contract_value.usd == 180'000'000);
  CHECK(vietnam.mous == 2);
  CHECK(vietnam.no_shows == 10);
  const ReportLine& usa = line_of(report, "buyer_country", "US");
  CHECK(usa.mou_value.usd == 120'000'000);  // the USD 1M MOU and the corrected USD 200k one
  CHECK(usa.meetings == 114);
  // Deals count on the day of the meeting they came from: m0 and m3 are on the first day.
  const ReportLine& first_day = line_of(report, "day", "2023-09-13");
  CHECK(first_day.contracts == 1);                               // m0
  CHECK(first_day.mous == 1);                                    // m3
  CHECK(line_of(report, "day", "(none)").mous == 3);             // MOUs without a linked meeting
  CHECK(line_of(report, "venue", "kins-tower").contracts == 1);  // m0 is at kins-tower
  // The registry's name wins over the meetings' snapshots.
  CHECK(line_of(report, "company", "c_oxygen").label == "Oxygen generator maker");
  CHECK(line_of(report, "category", "devices").contracts == 1);
}

TEST_CASE("meetings per participant counts registered participants with none") {
  Report report = compute_report(published_event().state(), sample_rates());
  // b_vn: 115 + 10 no-show meetings, b_us: 114, b_idle: 0.
  CHECK(report.total.buyers.participants == 3);
  CHECK(report.total.buyers.min == 0);
  CHECK(report.total.buyers.median == "114");
  CHECK(report.total.buyers.max == 125);
  CHECK(report.total.companies.participants == 2);
  // The Thai buyer's line exists only through its population: no meetings, no line. The VN
  // line's buyers are VN buyers only.
  const ReportLine& vietnam = line_of(report, "buyer_country", "VN");
  CHECK(vietnam.buyers.participants == 1);
  CHECK(vietnam.buyers.min == 125);
}

TEST_CASE("medians of an even count are exact halves") {
  Ledger ledger;
  ledger.apply(meeting("m1", "b1", "c1"));
  ledger.apply(meeting("m2", "b2", "c1"));
  ledger.apply(meeting("m3", "b2", "c2"));
  ledger.apply(meeting("m4", "b2", "c2"));
  Report report = compute_report(ledger.state(), sample_rates());
  CHECK(report.total.buyers.median == "2");     // 1, 3
  CHECK(report.total.companies.median == "2");  // 2, 2
  ledger.apply(meeting("m5", "b3", "c3"));
  report = compute_report(ledger.state(), sample_rates());
  CHECK(report.total.buyers.median == "1");  // 1, 1, 3
  ledger.apply(meeting("m6", "b4", "c3"));
  ledger.apply(meeting("m7", "b4", "c3"));
  report = compute_report(ledger.state(), sample_rates());
  CHECK(report.total.buyers.median == "1.5");  // 1, 1, 2, 3
  CHECK(report.total.no_show_rate.empty());    // nothing reported yet
}

TEST_CASE("amounts keep their original currency and convert once per currency") {
  Ledger ledger;
  ledger.apply(meeting("m1", "b1", "c1"));
  ledger.apply(meeting("m2", "b1", "c1"));
  ledger.apply(meeting("m3", "b1", "c1"));
  ledger.apply(held("r1", "m1", Side::kCompany, Money{1'000'000'000'000, "KRW"}));
  ledger.apply(held("r2", "m2", Side::kCompany, Money{2'415'500'000, "VND"}));
  ledger.apply(held("r3", "m3", Side::kCompany, usd(5)));
  Report report = compute_report(ledger.state(), sample_rates());
  const MoneyTotal& value = report.total.held_value;
  CHECK(value.by_currency.at("KRW") == 1'000'000'000'000);
  CHECK(value.by_currency.at("VND") == 2'415'500'000);
  CHECK(value.by_currency.at("USD") == 500);
  CHECK(value.usd == 770'000'000 + 100'002 + 500);
  // VND 24,155,000 -> KRW 1,298,723.38 (24,155,000 * 0.0000414 / 0.00077 = 1,298,723.376...)
  CHECK(value.krw == 1'000'000'000'000 + 129'872'338 + 649'351);  // USD 5 = KRW 6,493.51
}

TEST_CASE("an amount without a rate makes the report fail loudly") {
  Ledger ledger;
  ledger.apply(meeting("m1", "b1", "c1"));
  ledger.apply(held("r1", "m1", Side::kCompany, Money{100, "THB"}));
  CHECK_THROWS_AS(compute_report(ledger.state(), sample_rates()), Error);
}

TEST_CASE("report JSON carries totals, rates and every breakdown") {
  Report report = compute_report(published_event().state(), sample_rates());
  rapidjson::Document doc;
  std::string text = to_json(report);
  doc.Parse(text.c_str());
  REQUIRE_FALSE(doc.HasParseError());
  CHECK(std::string(doc["rates"]["date"].GetString()) == "2023-09-13");
  const auto& totals = doc["totals"];
  CHECK(totals["held"].GetInt() == 229);
  CHECK(std::string(totals["held_value"]["usd"]["amount"].GetString()) == "7700000.00");
  CHECK(std::string(totals["held_value"]["krw"]["amount"].GetString()) == "10000000000.00");
  CHECK(std::string(totals["held_value"]["krw"]["currency"].GetString()) == "KRW");
  CHECK(totals["mous"].GetInt() == 4);
  CHECK(std::string(totals["mou_value"]["usd"]["amount"].GetString()) == "2100000.00");
  CHECK(std::string(totals["on_site_contract_value"]["usd"]["amount"].GetString()) == "1800000.00");
  CHECK(std::string(totals["no_show_rate"].GetString()) == "0.0418");
  CHECK(totals["ratings"]["informative"].GetInt() == 229);
  CHECK(std::string(totals["meetings_per_buyer"]["median"].GetString()) == "114");
  for (std::string_view dimension : kDimensions) {
    INFO(dimension);
    CHECK(doc["breakdowns"][std::string(dimension).c_str()].IsArray());
  }
  CHECK(doc["breakdowns"]["buyer_country"].Size() == 2);
  CHECK(doc["breakdowns"]["day"].Size() == 4);  // three days and (none) for deals
}

TEST_CASE("report CSV: header, one row per line, RFC 4180 quoting, no formulas") {
  Ledger ledger;
  MeetingRecord m = meeting("m1", "b1", "c1");
  m.company_name = "Kim, \"Lee\" & Park";
  ledger.apply(m);
  MeetingRecord formula = meeting("m2", "b1", "c2");
  formula.company_name = "=HYPERLINK(\"x\")";
  ledger.apply(formula);
  ledger.apply(held("r1", "m1", Side::kCompany, usd(1234)));
  std::string csv = to_csv(compute_report(ledger.state(), sample_rates()));
  CHECK(csv.rfind("dimension,key,label,meetings,", 0) == 0);
  CHECK(csv.find("\r\ntotal,all,all,2,1,1,0,0.0000,") != std::string::npos);
  CHECK(csv.find("company,c1,\"Kim, \"\"Lee\"\" & Park\",1,") != std::string::npos);
  CHECK(csv.find("company,c2,\"'=HYPERLINK(\"\"x\"\")\",1,") != std::string::npos);
  CHECK(csv.find(",1234.00,") != std::string::npos);
  // Rows: header, total, 1 country, 2 companies, 1 category, 1 day, 1 venue.
  std::size_t rows = 0;
  for (std::size_t at = csv.find("\r\n"); at != std::string::npos; at = csv.find("\r\n", at + 2)) {
    ++rows;
  }
  CHECK(rows == 8);
  CHECK(csv.back() == '\n');
  CHECK(csv.find('\n') == csv.find("\r\n") + 1);
}

TEST_CASE("ratios round half to even at four decimals") {
  CHECK(format_ratio(1, 3, 4) == "0.3333");
  CHECK(format_ratio(2, 3, 4) == "0.6667");
  CHECK(format_ratio(1, 8, 2) == "0.12");  // 0.125 -> even
  CHECK(format_ratio(3, 8, 2) == "0.38");  // 0.375 -> even
  CHECK(format_ratio(5, 5, 4) == "1.0000");
  CHECK(format_ratio(0, 7, 4) == "0.0000");
  CHECK(format_ratio(1, 0, 4).empty());
}
