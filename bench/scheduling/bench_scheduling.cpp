// bench_scheduling [--quick]: the scheduler's figures, each with its same-run comparison.
//  1. quality: small instances solved by us and by CBC on the same MIP (bench/scheduling/
//     peer_cbc.py); breaks must equal CBC's proven optimum, at a fraction of CBC's time;
//  2. greedy: bigger instances against a first-fit baseline (placed meetings, breaks);
//  3. scale: 300 meetings / 80 participants / 22 slots, and 50,000 / 5,000 / 24 at four
//     venues (and, without --quick, at one venue).
// Run from the repository root (or set SANGDAM_ROOT) so that the peer script is found.
// The last line is a one-line summary.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <rapidjson/document.h>
#include <unistd.h>

#include "matching/schedule/check.hpp"
#include "matching/schedule/search_state.hpp"
#include "matching/schedule/solver.hpp"
#include "matching/schedule/synthetic.hpp"

namespace {

using namespace sangdam::schedule;
using Clock = std::chrono::steady_clock;

double since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// The baseline: meetings in file order, each into the first slot where it fits.
Solution first_fit(const Problem& p) {
  search::Model model(p, p.fairness_bound);
  search::State state(model);
  Solution out;
  std::vector<std::vector<int>> next_table(p.venues.size(), std::vector<int>(p.slots.size(), 0));
  for (int m = 0; m < model.meetings; ++m) {
    int slot = -1;
    for (int s = 0; s < model.slots && slot < 0; ++s) {
      if (state.fits(m, s)) slot = s;
    }
    if (slot < 0) {
      out.unplaced.push_back({p.meetings[m].id, "first_fit", "no slot"});
      continue;
    }
    state.place(m, slot);
    int v = model.venue[m];
    out.assignments.push_back({p.meetings[m].id, slot, p.venues[v].id, next_table[v][slot]++});
  }
  return out;
}

struct PeerResult {
  bool ok = false;
  std::string status;
  int placed = 0;
  int breaks = 0;
  int excess = 0;
  double seconds = 0;
};

PeerResult run_cbc(const std::string& script, const Problem& p, double time_limit) {
  auto path = std::filesystem::temp_directory_path() /
              ("sangdam_bench_" + std::to_string(::getpid()) + ".json");
  {
    std::ofstream out(path);
    out << to_json(p);
  }
  std::string command = "python3 " + script + " " + path.string() + " --time-limit " +
                        std::to_string(time_limit) + " 2>/dev/null";
  PeerResult r;
  if (FILE* pipe = ::popen(command.c_str(), "r")) {
    std::string text;
    char buffer[4096];
    while (std::fgets(buffer, sizeof buffer, pipe)) text += buffer;
    ::pclose(pipe);
    rapidjson::Document doc;
    doc.Parse(text.c_str());
    if (!doc.HasParseError() && doc.IsObject()) {
      r.ok = true;
      r.status = doc["status"].GetString();
      r.placed = doc["placed"].GetInt();
      r.breaks = doc["breaks"].GetInt();
      r.excess = doc["excess"].GetInt();
      r.seconds = doc["seconds"].GetDouble();
    }
  }
  std::filesystem::remove(path);
  return r;
}

std::string find_peer(const char* argv0) {
  std::vector<std::filesystem::path> roots;
  if (const char* root = std::getenv("SANGDAM_ROOT")) roots.emplace_back(root);
  roots.emplace_back(std::filesystem::current_path());
  // build/<dir>/bench/bench_scheduling -> the repository root is four levels up.
  auto self = std::filesystem::absolute(argv0);
  roots.push_back(self.parent_path().parent_path().parent_path().parent_path());
  for (const auto& root : roots) {
    auto script = root / "bench" / "scheduling" / "peer_cbc.py";
    if (std::filesystem::exists(script)) return script.string();
  }
  return {};
}

SyntheticShape quality_shape(int i) {
  SyntheticShape s;
  s.seed = 100 + i;
  s.days = 1;
  s.mornings = 3;
  s.afternoons = 3;
  s.buyers = 4;
  s.companies = 5;
  s.meetings = 10 + i % 4;
  s.venues = 1 + i % 2;
  s.tables_per_venue = 3;
  s.travel_minutes = 20;
  s.languages = 1;
  s.interpreters_per_language = 1;
  s.unavailable_share = 0.1;
  s.session_share = 0.2;
  s.precedence_share = 0.2;
  return s;
}

SyntheticShape greedy_shape(int i) {
  SyntheticShape s;
  s.seed = 200 + i;
  s.days = 2;
  s.mornings = 5;
  s.afternoons = 5;
  s.buyers = 40;
  s.companies = 60;
  s.meetings = 500;
  s.venues = 2;
  s.tables_per_venue = 20;
  s.travel_minutes = 20;
  s.languages = 2;
  s.interpreters_per_language = 6;
  s.unavailable_share = 0.05;
  s.session_share = 0.1;
  s.precedence_share = 0.05;
  return s;
}

struct ScaleTally {
  bool within_time = true;  // each run within its limit (+0.5 s) and checker-clean
  int runs = 0;
  int fair = 0;    // runs with max - min breaks <= d
  int placed = 0;  // of the last run
};

void report_scale(const char* name, const Problem& p, double time_limit, ScaleTally& tally) {
  SolveOptions options;
  options.time_limit_seconds = time_limit;
  auto start = Clock::now();
  std::clock_t cpu_start = std::clock();
  Solution s = solve(p, options);
  double seconds = since(start);
  double cpu = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  CheckReport r = check(p, s);
  tally.within_time = tally.within_time && seconds <= time_limit + 0.5 && r.ok();
  ++tally.runs;
  tally.fair += r.fairness_met;
  tally.placed = s.objective.placed;
  std::printf(
      "scale %-22s placed %d/%zu (weight gap %.2f%%), breaks %d, max-min %d-%d (d %d, %s), "
      "venue changes %d, %.2f s wall %.2f s CPU (limit %.1f, %s), checker %s\n",
      name, s.objective.placed, p.meetings.size(), 100 * s.weight_gap, s.objective.breaks,
      s.objective.max_breaks, s.objective.min_breaks, p.fairness_bound,
      r.fairness_met ? "fair" : "NOT FAIR", s.objective.venue_changes, seconds, cpu, time_limit,
      s.stopped_by.c_str(), r.ok() ? "ok" : "VIOLATIONS");
  // All participants by breaks, then buyers and companies apart (b:buyers/companies).
  auto at = [](const std::vector<int>& h, std::size_t b) { return b < h.size() ? h[b] : 0; };
  std::size_t top = std::max(r.buyer_breaks_histogram.size(), r.other_breaks_histogram.size());
  std::string all, split;
  char item[48];
  for (std::size_t b = 0; b < top; ++b) {
    int buyers = at(r.buyer_breaks_histogram, b);
    int others = at(r.other_breaks_histogram, b);
    std::snprintf(item, sizeof item, " %zu:%d", b, buyers + others);
    all.append(item);
    std::snprintf(item, sizeof item, " %zu:%d/%d", b, buyers, others);
    split.append(item);
  }
  std::printf("  breaks histogram:%s (buyers/companies:%s)\n", all.c_str(), split.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  std::string only;  // --only quality|greedy|scale: one part, for working on it
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--quick") quick = true;
    if (arg == "--only" && i + 1 < argc) only = argv[++i];
  }
  auto part = [&](const char* name) { return only.empty() || only == name; };
  std::string peer = find_peer(argv[0]);

  // 1. Quality against CBC's proven optimum.
  int quality_instances = !part("quality") ? 0 : quick ? 3 : 8;
  int compared = 0;
  int equal = 0;
  double ours_total = 0;
  double cbc_total = 0;
  constexpr double kCbcTimeLimit = 120;
  for (int i = 0; i < quality_instances; ++i) {
    Problem p = synthetic_problem(quality_shape(i));
    SolveOptions options;
    options.time_limit_seconds = 1;
    auto start = Clock::now();
    Solution s = solve(p, options);
    double ours = since(start);
    PeerResult cbc = peer.empty() ? PeerResult{} : run_cbc(peer, p, kCbcTimeLimit);
    bool proven = cbc.ok && cbc.status == "optimal";
    std::printf(
        "quality %d: %zu meetings; ours placed %d breaks %d excess %d in %.4f s (%s); cbc %s "
        "placed %d breaks %d excess %d in %.2f s\n",
        i, p.meetings.size(), s.objective.placed, s.objective.breaks, s.objective.fairness_excess,
        ours, s.proven_optimal ? "proven" : s.stopped_by.c_str(),
        cbc.ok ? cbc.status.c_str() : "unavailable", cbc.placed, cbc.breaks, cbc.excess,
        cbc.seconds);
    if (!proven) continue;
    ++compared;
    equal += s.objective.placed == cbc.placed && s.objective.breaks == cbc.breaks &&
             s.objective.fairness_excess == cbc.excess;
    ours_total += ours;
    cbc_total += cbc.seconds;
  }
  double speedup = ours_total > 0 ? cbc_total / ours_total : 0;
  std::printf("quality: breaks equal to CBC's proven optimum on %d/%d, CBC/ours time %.0fx\n",
              equal, compared, speedup);

  // 2. Against greedy first fit.
  int greedy_instances = !part("greedy") ? 0 : quick ? 1 : 3;
  long long ours_placed = 0, greedy_placed = 0, ours_breaks = 0, greedy_breaks = 0;
  for (int i = 0; i < greedy_instances; ++i) {
    Problem p = synthetic_problem(greedy_shape(i));
    SolveOptions options;
    options.time_limit_seconds = quick ? 1 : 3;
    Solution s = solve(p, options);
    CheckReport baseline = check(p, first_fit(p));
    std::printf(
        "greedy %d: %zu meetings; ours placed %d breaks %d max %d; first-fit placed %d "
        "breaks %d max %d (checker %s)\n",
        i, p.meetings.size(), s.objective.placed, s.objective.breaks, s.objective.max_breaks,
        baseline.objective.placed, baseline.objective.breaks, baseline.objective.max_breaks,
        baseline.ok() ? "ok" : "VIOLATIONS");
    ours_placed += s.objective.placed;
    greedy_placed += baseline.objective.placed;
    ours_breaks += s.objective.breaks;
    greedy_breaks += baseline.objective.breaks;
  }
  std::printf("greedy: placed %lld vs %lld, breaks %lld vs %lld (ours vs first fit)\n", ours_placed,
              greedy_placed, ours_breaks, greedy_breaks);

  // 3. Scale.
  ScaleTally within;
  ScaleTally fairness_first;
  int fairness_first_cost = 0;  // meetings placed first by placement minus by fairness first
  if (part("scale")) {
    SyntheticShape medium;
    medium.seed = 300;
    medium.days = 2;
    medium.mornings = 6;
    medium.afternoons = 5;
    medium.buyers = 30;
    medium.companies = 50;
    medium.meetings = 300;
    medium.venues = 2;
    medium.tables_per_venue = 15;
    medium.travel_minutes = 20;
    medium.languages = 2;
    medium.interpreters_per_language = 3;
    medium.session_share = 0.1;
    medium.precedence_share = 0.05;
    report_scale("300/80/22", synthetic_problem(medium), 1.0, within);
    SyntheticShape large;
    large.seed = 301;
    large.days = 2;
    large.mornings = 6;
    large.afternoons = 6;
    large.buyers = 2500;
    large.companies = 2500;
    large.meetings = quick ? 10000 : 50000;
    large.venues = 4;
    large.tables_per_venue = 700;
    large.travel_minutes = 20;
    large.languages = 3;
    large.interpreters_per_language = 400;
    large.session_share = 0.05;
    Problem large_problem = synthetic_problem(large);
    report_scale(quick ? "10000/5000/24" : "50000/5000/24", large_problem, quick ? 3.0 : 9.0,
                 within);
    // The same problem with the fairness bound before placement (Problem::fairness_first):
    // what fairness costs in meetings. Its own tally: it is fair by construction.
    large_problem.fairness_first = true;
    report_scale(quick ? "10000/5000/24 fair first" : "50000/5000/24 fair first", large_problem,
                 quick ? 3.0 : 9.0, fairness_first);
    fairness_first_cost = within.placed - fairness_first.placed;
    if (!quick) {
      // The same shape at one venue (the tables of four): what the breaks come to when no
      // venue change forces a free slot. The four-venue line above is the one judged.
      SyntheticShape one_venue = large;
      one_venue.seed = 302;
      one_venue.venues = 1;
      one_venue.tables_per_venue = 2800;
      report_scale("50000/5000/24 1 venue", synthetic_problem(one_venue), 9.0, within);
    }
  }

  std::printf(
      "scheduling: breaks = CBC optimum on %d/%d at %.0fx less time; vs first fit placed %+lld "
      "breaks %+lld; scale %s, fair on %d/%d (fairness first: fair on %d/%d, %d fewer placed)\n",
      equal, compared, speedup, ours_placed - greedy_placed, ours_breaks - greedy_breaks,
      within.within_time && fairness_first.within_time ? "within time limits" : "OVER TIME LIMIT",
      within.fair, within.runs, fairness_first.fair, fairness_first.runs, fairness_first_cost);
  return 0;
}
