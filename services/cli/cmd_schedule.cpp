// sangdam schedule --in problem.json --out solution.json [--time-limit S] [--seed N]
//                  [--iterations N] [--fairness D] [--threads N] [--repair published.json]
// Solves a problem file offline (formats: docs/scheduling.md) and writes the solution file.
// With --repair, keeps the published schedule's meetings where they still fit and lists the
// moves. Prints a summary and every unplaced meeting with its reason. Exit 0 when a schedule
// was written (even if some meetings could not be placed), 1 on a bad file, 2 on bad usage.
#include <cstdio>
#include <fstream>
#include <string>

#include "matching/error.hpp"
#include "matching/schedule/solver.hpp"
#include "services/cli/command.hpp"
#include "services/common/config.hpp"

namespace sangdam::cli {

namespace {

constexpr unsigned kMaxSolverThreads = 64;

int usage() {
  std::fprintf(stderr,
               "usage: sangdam schedule --in problem.json --out solution.json [--time-limit S]\n"
               "                        [--seed N] [--iterations N] [--fairness D]\n"
               "                        [--threads N] [--repair published.json]\n"
               "  --time-limit S   stop after S seconds with the best schedule (default 10)\n"
               "  --seed N         random seed; with --iterations the run is reproducible\n"
               "  --iterations N   local-search moves to try (default: until converged)\n"
               "  --fairness D     max minus min breaks over participants (default: the file's)\n"
               "  --threads N      searches side by side, the best wins (default 2)\n"
               "  --repair FILE    keep FILE's meetings where they still fit, list the moves\n");
  return 2;
}

// Parses a number option; false (and a message) when it is not one.
template <typename T>
bool parse_number(const std::string& flag, const std::string& text, T& out) {
  try {
    std::size_t used = 0;
    if constexpr (std::is_floating_point_v<T>) {
      out = static_cast<T>(std::stod(text, &used));
    } else {
      out = static_cast<T>(std::stoll(text, &used));
    }
    if (used == text.size() && out >= 0) return true;
  } catch (const std::exception&) {
  }
  std::fprintf(stderr, "sangdam schedule: %s needs a non-negative number, got '%s'\n", flag.c_str(),
               text.c_str());
  return false;
}

void print_summary(const schedule::Solution& s, std::size_t meetings) {
  const auto& o = s.objective;
  std::printf(
      "placed %d of %zu meetings, weight %.3f (upper bound %.3f, gap %.2f%%)\n"
      "breaks %d (lower bound %d), per participant max %d min %d, fairness excess %d\n"
      "buyer venue changes %d\n"
      "%s%s after %.3f s, %lld moves\n",
      o.placed, meetings, o.placed_weight, s.weight_upper_bound, 100.0 * s.weight_gap, o.breaks,
      s.breaks_lower_bound, o.max_breaks, o.min_breaks, o.fairness_excess, o.venue_changes,
      s.proven_optimal ? "proven optimal, " : "", s.stopped_by.c_str(), s.seconds, s.iterations);
  for (const auto& u : s.unplaced) {
    std::printf("unplaced %s: %s (%s)\n", u.meeting.c_str(), u.reason.c_str(), u.detail.c_str());
  }
  for (const auto& m : s.moves) {
    std::printf("move %s: slot %d -> %d\n", m.meeting.c_str(), m.from_slot, m.to_slot);
  }
}

int schedule_command(const std::vector<std::string>& args) {
  std::string in;
  std::string out;
  std::string published;
  schedule::SolveOptions options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    if (flag == "--help") return usage(), 0;
    if (i + 1 >= args.size()) return usage();
    const std::string& value = args[++i];
    bool ok = true;
    if (flag == "--in") {
      in = value;
    } else if (flag == "--out") {
      out = value;
    } else if (flag == "--repair") {
      published = value;
    } else if (flag == "--time-limit") {
      ok = parse_number(flag, value, options.time_limit_seconds);
    } else if (flag == "--seed") {
      ok = parse_number(flag, value, options.seed);
    } else if (flag == "--iterations") {
      ok = parse_number(flag, value, options.iteration_limit);
    } else if (flag == "--fairness") {
      ok = parse_number(flag, value, options.fairness_bound);
    } else if (flag == "--threads") {
      ok = parse_number(flag, value, options.threads);
      if (ok && (options.threads < 1 || options.threads > kMaxSolverThreads)) {
        std::fprintf(stderr, "sangdam schedule: --threads must be 1..%u\n", kMaxSolverThreads);
        ok = false;
      }
    } else {
      return usage();
    }
    if (!ok) return 2;
  }
  if (in.empty() || out.empty()) return usage();
  std::string current = in;
  try {
    auto problem = schedule::parse_problem(read_file(in));
    schedule::Solution solution;
    if (published.empty()) {
      solution = schedule::solve(problem, options);
    } else {
      current = published;
      auto before = schedule::parse_solution(read_file(published));
      solution = schedule::repair(problem, before, options);
    }
    std::ofstream file(out, std::ios::binary | std::ios::trunc);
    file << schedule::to_json(solution) << '\n';
    if (!file.flush()) {
      std::fprintf(stderr, "sangdam schedule: cannot write %s\n", out.c_str());
      return 1;
    }
    print_summary(solution, problem.meetings.size());
    return 0;
  } catch (const Error& e) {
    std::fprintf(stderr, "sangdam schedule: %s: %s%s%s (%s)\n", current.c_str(), e.field().c_str(),
                 e.field().empty() ? "" : ": ", e.what(), e.reason().c_str());
    return 1;
  }
}

}  // namespace

SANGDAM_CLI_COMMAND("schedule", "solve a scheduling problem file (or repair a schedule)",
                    schedule_command);

}  // namespace sangdam::cli
