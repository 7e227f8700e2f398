// sangdam check --in problem.json --solution solution.json [--fairness D]
// Validates every hard constraint of a solution file against its problem file (formats:
// docs/scheduling.md), prints each violation and the objective recomputed from the
// assignments. Exit 0 when feasible, 1 on any violation or a bad file, 2 on bad usage.
#include <cstdio>
#include <string>

#include "matching/error.hpp"
#include "matching/schedule/check.hpp"
#include "services/cli/command.hpp"
#include "services/common/config.hpp"

namespace sangdam::cli {

namespace {

int usage() {
  std::fprintf(stderr,
               "usage: sangdam check --in problem.json --solution solution.json [--fairness D]\n");
  return 2;
}

int check_command(const std::vector<std::string>& args) {
  std::string in;
  std::string solution_path;
  int fairness = -1;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--help") return usage(), 0;
    if (i + 1 >= args.size()) return usage();
    const std::string& value = args[++i];
    if (args[i - 1] == "--in") {
      in = value;
    } else if (args[i - 1] == "--solution") {
      solution_path = value;
    } else if (args[i - 1] == "--fairness") {
      try {
        std::size_t used = 0;
        fairness = std::stoi(value, &used);
        if (used != value.size() || fairness < 0) return usage();
      } catch (const std::exception&) {
        return usage();
      }
    } else {
      return usage();
    }
  }
  if (in.empty() || solution_path.empty()) return usage();
  std::string current = in;
  try {
    auto problem = schedule::parse_problem(read_file(in));
    current = solution_path;
    auto solution = schedule::parse_solution(read_file(solution_path));
    auto report = schedule::check(problem, solution, fairness);
    for (const auto& v : report.violations) {
      std::printf("violation %s%s%s: %s\n", v.kind.c_str(), v.meeting.empty() ? "" : " ",
                  v.meeting.c_str(), v.detail.c_str());
    }
    const auto& o = report.objective;
    std::printf(
        "%s: %zu violations\n"
        "placed %d of %zu meetings, weight %.3f\n"
        "breaks %d, per participant max %d min %d (max-min %d, bound %d%s%s)\n"
        "buyer venue changes %d\n",
        report.ok() ? "feasible" : "INFEASIBLE", report.violations.size(), o.placed,
        problem.meetings.size(), o.placed_weight, o.breaks, o.max_breaks, o.min_breaks,
        o.max_breaks - o.min_breaks, fairness >= 0 ? fairness : problem.fairness_bound,
        problem.fairness_first ? ", fairness first" : "", report.fairness_met ? "" : ", EXCEEDED",
        o.venue_changes);
    return report.ok() ? 0 : 1;
  } catch (const Error& e) {
    std::fprintf(stderr, "sangdam check: %s: %s%s%s (%s)\n", current.c_str(), e.field().c_str(),
                 e.field().empty() ? "" : ": ", e.what(), e.reason().c_str());
    return 1;
  }
}

}  // namespace

SANGDAM_CLI_COMMAND("check", "validate a schedule against its problem file, print the objective",
                    check_command);

}  // namespace sangdam::cli
