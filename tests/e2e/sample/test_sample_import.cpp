// The reference event end to end: the real `sangdam import` binary loads
// config/samples/seongnam-2023 (event, 50 buyers, 58 companies, 229 meetings, their outcomes,
// 5 deals) through the gateway, the ledger service stores the report, and the organizer's
// report shows exactly the published totals (MISSION.md): 229 consultations worth USD 7.7M,
// 4 MOUs worth USD 2.1M, on-site contracts worth USD 1.8M, with the two named deals. The CSV
// says the same, loading the folder again into the same event changes no number, and a failed
// call ends the import with exit 1.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdio>
#include <sstream>

#include "services/common/participant_store.hpp"
#include "tests/support/sangdam_stack.hpp"

using namespace sangdam::testing;

namespace {

struct CliRun {
  int exit_code = -1;
  std::string out;  // stdout; stderr goes to the test's log
  rapidjson::Document json;
};

CliRun run_import(const std::string& arguments) {
  std::string command = std::string(SANGDAM_BINARY_DIR) + "/services/sangdam import " +
                        std::string(SANGDAM_SOURCE_DIR) + "/config/samples/seongnam-2023 " +
                        arguments;
  CliRun run;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot start " + command);
  char buffer[4096];
  while (fgets(buffer, sizeof buffer, pipe)) run.out += buffer;
  int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.json.Parse(run.out.c_str(), run.out.size());
  if (run.json.HasParseError() || !run.json.IsObject()) run.json.SetNull();
  return run;
}

int count(const rapidjson::Value& file, const char* which) {
  return file[which].GetInt();
}

std::string usd(const rapidjson::Value& line, const char* total) {
  return line[total]["usd"]["amount"].GetString();
}

const rapidjson::Value& line_of(const rapidjson::Value& report, const char* dimension,
                                const std::string& key) {
  for (const auto& line : report["breakdowns"][dimension].GetArray()) {
    if (key == line["key"].GetString()) return line;
  }
  throw std::runtime_error("no " + std::string(dimension) + " line " + key);
}

// RFC 4180 rows (quoted fields may hold commas, quotes and line breaks; CRLF ends a row).
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1);
  std::string cell;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rows.back().push_back(std::move(cell));
      cell.clear();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      rows.back().push_back(std::move(cell));
      cell.clear();
      rows.emplace_back();
      ++i;
    } else {
      cell += c;
    }
  }
  if (!cell.empty() || !rows.back().empty()) {
    rows.back().push_back(std::move(cell));
  } else {
    rows.pop_back();
  }
  return rows;
}

}  // namespace

TEST_CASE(
    "sample import: the report shows the published totals and a second import changes "
    "nothing") {
  SangdamStack stack({"gateway", "ledger"});
  const std::string url = stack.gateway_url();

  auto first = run_import("--server " + url + " --token " + kAdminToken);
  REQUIRE(first.exit_code == 0);
  REQUIRE(first.json.IsObject());
  const auto& out = first.json;
  const std::string event_id = out["event_id"].GetString();
  const std::string org = out["organizer_token"].GetString();
  CHECK(count(out["buyers"], "accepted") == 50);
  CHECK(count(out["buyers"], "rejected") == 0);
  CHECK(count(out["companies"], "accepted") == 58);
  CHECK(count(out["meetings"], "created") == 229);
  CHECK(count(out["outcomes"], "created") == 229);
  CHECK(count(out["deals"], "created") == 5);
  // The import waited for the ledger service's stored report and printed its headline.
  const auto& headline = out["report"];
  CHECK(std::string(headline["source"].GetString()) == "stored");
  CHECK(headline["consultations_held"].GetInt() == 229);
  CHECK(std::string(headline["held_value_usd"].GetString()) == "7700000.00");
  CHECK(headline["mous"].GetInt() == 4);
  CHECK(std::string(headline["mou_value_usd"].GetString()) == "2100000.00");
  CHECK(std::string(headline["on_site_contract_value_usd"].GetString()) == "1800000.00");

  const std::string base = "/v1/events/" + event_id;
  auto report = call(url, org, "GET", base + "/report");
  REQUIRE(report.status == 200);
  const auto& t = report.json["totals"];
  CHECK(t["meetings"].GetInt() == 229);
  CHECK(t["held"].GetInt() == 229);
  CHECK(t["no_shows"].GetInt() == 0);
  CHECK(usd(t, "held_value") == "7700000.00");
  CHECK(std::string(t["held_value"]["krw"]["amount"].GetString()) ==
        "10000000000.00");  // "about KRW 10bn": the press release's own conversion
  CHECK(t["mous"].GetInt() == 4);
  CHECK(usd(t, "mou_value") == "2100000.00");
  CHECK(t["contracts"].GetInt() == 1);
  CHECK(usd(t, "contract_value") == "1800000.00");
  CHECK(t["on_site_contracts"].GetInt() == 1);
  CHECK(usd(t, "on_site_contract_value") == "1800000.00");
  // A consultation cannot be held by one side alone: every buyer and company met someone.
  CHECK(t["meetings_per_buyer"]["min"].GetInt() >= 3);
  CHECK(t["meetings_per_company"]["min"].GetInt() >= 1);

  // The two named deals: the oxygen-generator maker's USD 1.8M contract with the Vietnamese
  // hospital, the water-heater maker's USD 1M MOU with the first US buyer (lab services).
  using sangdam::Role;
  namespace participants = sangdam::participants;
  auto oxygen = participants::participant_id(event_id, Role::kCompany, "C-006");
  auto heater = participants::participant_id(event_id, Role::kCompany, "C-007");
  const auto& oxygen_line = line_of(report.json, "company", oxygen);
  CHECK(oxygen_line["contracts"].GetInt() == 1);
  CHECK(oxygen_line["on_site_contracts"].GetInt() == 1);
  CHECK(usd(oxygen_line, "contract_value") == "1800000.00");
  const auto& heater_line = line_of(report.json, "company", heater);
  CHECK(heater_line["mous"].GetInt() == 1);
  CHECK(usd(heater_line, "mou_value") == "1000000.00");
  CHECK(usd(line_of(report.json, "buyer_country", "VN"), "contract_value") == "1800000.00");
  CHECK(usd(line_of(report.json, "buyer_country", "US"), "mou_value") == "1000000.00");
  // Their meetings are in the buyers' agendas: the contract's on the first day.
  auto vn_buyer = participants::participant_id(event_id, Role::kBuyer, "B-VN-01");
  auto agenda = call(url, org, "GET", base + "/participants/" + vn_buyer + "/agenda");
  REQUIRE(agenda.status == 200);
  int with_oxygen = 0;
  for (const auto& m : agenda.json["items"].GetArray()) {
    if (oxygen == m["company_id"].GetString()) {
      ++with_oxygen;
      CHECK(m["slot"].GetInt() < 12);  // 12 slots a day
    }
  }
  CHECK(with_oxygen == 1);
  CHECK(line_of(report.json, "day", "2023-09-13")["contracts"].GetInt() == 1);

  // CSV: the same figures, one row per line of the JSON.
  sangdam::HttpCall org_http(url, org, std::chrono::seconds(30));
  auto csv = org_http.send("GET", base + "/report?format=csv");
  REQUIRE(csv.status == 200);
  auto rows = parse_csv(csv.body);
  REQUIRE(rows.size() >= 2);
  const auto& header = rows[0];
  auto cell = [&](const std::vector<std::string>& row, const std::string& column) {
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (header[i] == column) return row.at(i);
    }
    throw std::runtime_error("no CSV column " + column);
  };
  std::size_t json_lines = 1;
  for (const auto& dimension : report.json["breakdowns"].GetObject()) {
    json_lines += dimension.value.Size();
  }
  CHECK(rows.size() == 1 + json_lines);
  for (const auto& row : rows) CHECK(row.size() == header.size());
  const auto& total = rows[1];
  CHECK(cell(total, "dimension") == "total");
  CHECK(cell(total, "held") == "229");
  CHECK(cell(total, "held_value_usd") == "7700000.00");
  CHECK(cell(total, "held_value_krw") == "10000000000.00");
  CHECK(cell(total, "mous") == "4");
  CHECK(cell(total, "mou_value_usd") == "2100000.00");
  CHECK(cell(total, "contracts") == "1");
  CHECK(cell(total, "on_site_contract_value_usd") == "1800000.00");
  for (const auto& row : rows) {
    if (cell(row, "dimension") == "company" && cell(row, "key") == oxygen) {
      CHECK(cell(row, "contract_value_usd") == "1800000.00");
    }
  }

  // The same folder again into the same event: every record is found, nothing is added.
  auto second =
      run_import("--server " + url + " --event " + event_id + " --organizer-token " + org);
  REQUIRE(second.exit_code == 0);
  REQUIRE(second.json.IsObject());
  CHECK(std::string(second.json["event_id"].GetString()) == event_id);
  for (const char* file : {"meetings", "outcomes", "deals"}) {
    INFO(file);
    CHECK(count(second.json[file], "created") == 0);
    CHECK(count(second.json[file], "unchanged") == count(out[file], "created"));
  }
  CHECK(std::string(second.json["report"]["held_value_usd"].GetString()) == "7700000.00");
  auto again = call(url, org, "GET", base + "/report");
  CHECK(again.body == report.body);

  // A call that fails stops the import with exit 1 and prints no result: a token that is not
  // this event's organizer's.
  auto refused = run_import("--server " + url + " --event " + event_id +
                            " --organizer-token sdo_not_a_token --wait 0");
  CHECK(refused.exit_code == 1);
  CHECK(refused.json.IsNull());
}
