// The operator CLI's scheduling commands as processes: `sangdam schedule` solves a problem file
// and writes a solution file that `sangdam check` accepts (exit 0); a solution that breaks a
// hard constraint, or the fairness bound of a problem that puts it first, makes `check` exit 1;
// a bad problem file exits 1 naming the JSON path; bad usage exits 2.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "matching/schedule/check.hpp"
#include "matching/schedule/solution.hpp"
#include "tests/unit/schedule/sample_problem.hpp"

namespace fs = std::filesystem;
using namespace sangdam::schedule;

namespace {

struct CliRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

CliRun run_cli(const std::string& arguments) {
  std::string command =
      std::string(SANGDAM_BINARY_DIR) + "/services/sangdam " + arguments + " 2>&1";
  CliRun run;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  while (fgets(buffer, sizeof buffer, pipe)) run.output += buffer;
  int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

// A folder of its own under the system's temporary directory, removed at the end.
struct Folder {
  fs::path path;
  Folder() {
    std::string pattern = (fs::temp_directory_path() / "sangdam-cli-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~Folder() { fs::remove_all(path); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name, std::ios::binary) << text;
    return (path / name).string();
  }
  std::string read(const std::string& name) const {
    std::ifstream in(path / name, std::ios::binary);
    std::stringstream all;
    all << in.rdbuf();
    return all.str();
  }
};

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("sangdam schedule writes a solution that sangdam check accepts") {
  Folder folder;
  std::string problem = folder.write("problem.json", testing::kSampleProblem);
  std::string solution = (folder.path / "solution.json").string();
  auto solved = run_cli("schedule --in " + problem + " --out " + solution +
                        " --time-limit 5 --iterations 500 --seed 3 --threads 2");
  INFO(solved.output);
  REQUIRE(solved.exit_code == 0);
  CHECK(solved.output.find("placed") != std::string::npos);
  // The file parses, and the library's checker agrees with the command's.
  Solution parsed = parse_solution(folder.read("solution.json"));
  CHECK(check(parse_problem(testing::kSampleProblem), parsed).ok());
  auto checked = run_cli("check --in " + problem + " --solution " + solution);
  INFO(checked.output);
  CHECK(checked.exit_code == 0);
  CHECK(checked.output.find("feasible: 0 violations") != std::string::npos);

  // Two meetings of one buyer in one slot: a violation, exit 1.
  REQUIRE(parsed.assignments.size() >= 2);
  Solution broken = parsed;
  std::string busy;
  for (auto& a : broken.assignments) {
    if (a.meeting == "m1") busy = std::to_string(a.slot);
  }
  REQUIRE_FALSE(busy.empty());
  for (auto& a : broken.assignments) {
    if (a.meeting == "m3") a.slot = std::stoi(busy);  // buyer-vn meets in m1 and m3
  }
  std::string bad_solution = folder.write("broken.json", to_json(broken));
  auto refused = run_cli("check --in " + problem + " --solution " + bad_solution);
  INFO(refused.output);
  CHECK(refused.exit_code == 1);
  CHECK(refused.output.find("violation participant_double_booked") != std::string::npos);
}

TEST_CASE("sangdam schedule and check with the fairness bound first") {
  Folder folder;
  // The buyer can meet oxygen only in slot 0 and heater only in slot 2 (d = 0).
  std::string text = R"({
    "fairness_bound": 0, "days": [{"morning": 3, "afternoon": 0}],
    "venues": [{"id": "hall", "tables": 2}],
    "participants": [{"id": "buyer", "role": "buyer"},
                     {"id": "oxygen", "role": "company", "unavailable": [1, 2]},
                     {"id": "heater", "role": "company", "unavailable": [0, 1]}],
    "meetings": [{"id": "m1", "between": ["buyer", "oxygen"], "weight": 2},
                 {"id": "m2", "between": ["buyer", "heater"], "weight": 1}]})";
  std::string later = folder.write("later.json", text);
  std::string first = folder.write(
      "first.json",
      replaced(text, R"("fairness_bound": 0,)", R"("fairness_bound": 0, "fairness_first": true,)"));
  std::string both = (folder.path / "both.json").string();
  REQUIRE(run_cli("schedule --in " + later + " --out " + both + " --iterations 200").exit_code ==
          0);
  // Placement first: both placed, the bound exceeded but reported only.
  auto soft = run_cli("check --in " + later + " --solution " + both);
  INFO(soft.output);
  CHECK(soft.exit_code == 0);
  CHECK(soft.output.find("EXCEEDED") != std::string::npos);
  // The same schedule against the problem that puts fairness first: a violation.
  auto hard = run_cli("check --in " + first + " --solution " + both);
  INFO(hard.output);
  CHECK(hard.exit_code == 1);
  CHECK(hard.output.find("violation fairness") != std::string::npos);
  // Solved with fairness first: the lighter meeting stays out and says why.
  std::string fair = (folder.path / "fair.json").string();
  auto solved = run_cli("schedule --in " + first + " --out " + fair + " --iterations 200");
  INFO(solved.output);
  REQUIRE(solved.exit_code == 0);
  CHECK(solved.output.find("unplaced m2: fairness_bound") != std::string::npos);
  CHECK(run_cli("check --in " + first + " --solution " + fair).exit_code == 0);
}

TEST_CASE("sangdam schedule refuses bad files and bad usage") {
  Folder folder;
  std::string out = (folder.path / "solution.json").string();
  std::string unknown = folder.write(
      "unknown.json", replaced(testing::kSampleProblem, R"("between": ["buyer-vn", "oxygen"])",
                               R"("between": ["buyer-vn", "nobody"])"));
  auto bad_file = run_cli("schedule --in " + unknown + " --out " + out);
  INFO(bad_file.output);
  CHECK(bad_file.exit_code == 1);
  CHECK(bad_file.output.find("meetings[0].between[1]") != std::string::npos);
  CHECK(bad_file.output.find("unknown_participant") != std::string::npos);
  CHECK_FALSE(fs::exists(out));  // nothing written

  std::string problem = folder.write("problem.json", testing::kSampleProblem);
  CHECK(run_cli("schedule --in " + problem + " --out " + out + " --threads 0").exit_code == 2);
  CHECK(run_cli("schedule --in " + problem + " --out " + out + " --threads x").exit_code == 2);
  CHECK(run_cli("schedule --in " + problem).exit_code == 2);
  CHECK(run_cli("check --in " + problem).exit_code == 2);
  CHECK_FALSE(fs::exists(out));
}
