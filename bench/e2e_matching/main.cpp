// bench_e2e_matching: end to end through the services, at a generated 5,000-company event: a
// profile change posted to the API -> that participant's matches readable (a GET that answers
// 200 with the new profile version), p50/p99. Beside it, in the same run: the floor of the path
// (PATCH + GET of the profile, no matching) and the peer, a matcher that recomputes every list
// on each change (in-process index build + full recompute, compute only).
//   bench_e2e_matching [--quick] [--companies N] [--buyers N] [--changes N]
// Starts its own redis-server, gateway and matcher (building them if needed). Last line: one-line
// summary.
#include <rapidjson/document.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "matching/catalog.hpp"
#include "matching/event/event.hpp"
#include "matching/generator/event_generator.hpp"
#include "matching/scoring/config.hpp"
#include "matching/scoring/match_index.hpp"
#include "services/common/config.hpp"
#include "services/common/event_cache.hpp"
#include "services/common/http_call.hpp"
#include "services/common/json.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/service_process.hpp"

namespace sangdam::bench {

namespace fs = std::filesystem;

std::string source_dir() {
  return fs::path(__FILE__).parent_path().parent_path().parent_path().string();
}
std::string binary_dir() {
  return fs::read_symlink("/proc/self/exe").parent_path().parent_path().string();
}

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kFullCompanies = 5000, kQuickCompanies = 500;
constexpr std::size_t kFullBuyers = 1000, kQuickBuyers = 100;
constexpr int kFullChanges = 300, kQuickChanges = 40;
constexpr int kPeerRuns = 3;  // full recomputes timed for the peer
constexpr std::uint64_t kSeed = 7;
constexpr auto kImportTimeout = std::chrono::seconds(300);  // a 5,000-row import, one request
constexpr auto kCallTimeout = std::chrono::seconds(30);
constexpr auto kBuildWait = std::chrono::seconds(600);  // matcher's first index at full size
constexpr const char* kAdminToken = "sda_bench_admin_token_0123456789abcdef";

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(values.size())));
  return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

rapidjson::Document parse(const HttpAnswer& answer, unsigned expected, const std::string& what) {
  if (answer.status != expected) {
    throw std::runtime_error(what + ": HTTP " + std::to_string(answer.status) + " " +
                             answer.body.substr(0, 300));
  }
  rapidjson::Document doc;
  doc.Parse(answer.body.c_str(), answer.body.size());
  if (doc.HasParseError()) throw std::runtime_error(what + ": answer is not JSON");
  return doc;
}

struct Options {
  std::size_t companies = kFullCompanies;
  std::size_t buyers = kFullBuyers;
  int changes = kFullChanges;
};

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> long long {
      if (i + 1 >= argc) throw std::runtime_error(arg + " needs a value");
      long long v = std::atoll(argv[++i]);
      if (v < 1) throw std::runtime_error(arg + " must be a positive number");
      return v;
    };
    if (arg == "--quick") {
      o.companies = kQuickCompanies;
      o.buyers = kQuickBuyers;
      o.changes = kQuickChanges;
    } else if (arg == "--companies") {
      o.companies = static_cast<std::size_t>(value());
    } else if (arg == "--buyers") {
      o.buyers = static_cast<std::size_t>(value());
    } else if (arg == "--changes") {
      o.changes = static_cast<int>(value());
    } else {
      throw std::runtime_error("unknown argument " + arg +
                               " (try --quick, --companies N, --buyers N, --changes N)");
    }
  }
  return o;
}

// The services this bench runs are other targets of the same build: make sure they are there
// and current (deploy/bench builds only bench_e2e_matching).
void build_services() {
  std::string command =
      "cmake --build " + binary_dir() + " --target gateway matcher -j2 >/dev/null";
  if (std::system(command.c_str()) != 0) throw std::runtime_error("building the services failed");
}

struct Imported {
  std::string id;
  std::string role;
};

// The generated event, made acceptable to POST /v1/events at any size: it names its venues
// but not the minutes between them (kTravelMinutes between any two are added), and at 5,000
// companies it numbers more tables per venue than an event may have (capped; a company's table
// label is not checked against the count).
constexpr int kTravelMinutes = 20;
std::string as_accepted_event(const std::string& event_json) {
  rapidjson::Document doc;
  doc.Parse(event_json.c_str(), event_json.size());
  if (doc.HasParseError() || !doc.HasMember("venues")) {
    throw std::runtime_error("generated event is not the expected JSON");
  }
  for (auto& venue : doc["venues"].GetArray()) {
    if (venue["tables"].IsInt() && venue["tables"].GetInt() > event::kMaxTablesPerVenue) {
      venue["tables"].SetInt(event::kMaxTablesPerVenue);
    }
  }
  auto& a = doc.GetAllocator();
  rapidjson::Value travel(rapidjson::kArrayType);
  const auto& venues = doc["venues"].GetArray();
  for (rapidjson::SizeType i = 0; i < venues.Size(); ++i) {
    for (rapidjson::SizeType j = i + 1; j < venues.Size(); ++j) {
      rapidjson::Value leg(rapidjson::kObjectType);
      leg.AddMember("from", rapidjson::Value(venues[i]["id"], a), a);
      leg.AddMember("to", rapidjson::Value(venues[j]["id"], a), a);
      leg.AddMember("minutes", kTravelMinutes, a);
      travel.PushBack(leg, a);
    }
  }
  if (!doc.HasMember("travel")) doc.AddMember("travel", travel, a);
  return json::to_string(doc);
}

// The peer: recompute everything on a change. Index build + full recompute, no I/O.
double peer_full_recompute_ms(const generator::GeneratedEvent& event, const Catalogs& catalogs) {
  scoring::MatchContext context{
      catalogs.taxonomy,
      catalogs.markets,
      {},
      scoring::parse_match_config(read_file(source_dir() + "/config/matching.json"))};
  for (const auto& pair : event.interpreter_pairs) context.interpreters.add(pair);
  std::vector<double> runs;
  for (int r = 0; r < kPeerRuns; ++r) {
    auto start = Clock::now();
    scoring::MatchIndex index(context, event.buyers, event.companies);
    index.full_recompute(2);
    runs.push_back(ms_since(start));
  }
  return percentile(runs, 0.5);
}

}  // namespace

int run(int argc, char** argv) {
  Options options = parse_options(argc, argv);
  build_services();
  Catalogs catalogs;
  catalogs.taxonomy = Taxonomy::from_json(read_file(source_dir() + "/config/taxonomy.json"));
  catalogs.markets = Markets::from_json(read_file(source_dir() + "/config/markets.json"));
  generator::GeneratorOptions gen;
  gen.buyers = options.buyers;
  gen.companies = options.companies;
  gen.seed = kSeed;
  auto event = generator::generate_event(gen, &catalogs.taxonomy, &catalogs.markets);

  testing::RedisServer redis;
  std::map<std::string, std::string> env{{"SANGDAM_REDIS_PORT", std::to_string(redis.port())},
                                         {"SANGDAM_ADMIN_TOKEN", kAdminToken},
                                         {"SANGDAM_LOG_LEVEL", "warn"},
                                         {"SANGDAM_BUS_BLOCK_MS", "200"}};
  testing::ServiceProcess gateway("gateway", env);
  testing::ServiceProcess matcher("matcher", env);
  HttpCall admin(gateway.url(), kAdminToken, kCallTimeout);
  auto created =
      parse(admin.send("POST", "/v1/events", as_accepted_event(generator::event_json(event))), 201,
            "create event");
  std::string e = created["id"].GetString();
  HttpCall organizer(gateway.url(), created["organizer_token"].GetString(), kImportTimeout);

  auto import_start = Clock::now();
  std::vector<Imported> buyers, companies;
  for (const char* role : {"buyer", "company"}) {
    bool buyer = std::string(role) == "buyer";
    auto report = parse(
        organizer.send("POST", "/v1/events/" + e + "/imports?role=" + role,
                       buyer ? generator::buyers_json(event) : generator::companies_json(event)),
        200, std::string("import ") + role);
    if (report["summary"]["rejected"].GetInt() != 0) {
      throw std::runtime_error(std::string("import ") + role + ": rows rejected");
    }
    for (const auto& row : report["accepted"].GetArray()) {
      (buyer ? buyers : companies).push_back({row["id"].GetString(), role});
    }
  }
  double import_ms = ms_since(import_start);

  // The matcher catches up with the import (its first index at full size); a read waits.
  auto matches_of = [&](const Imported& p) {
    return "/v1/events/" + e + "/participants/" + p.id + "/matches?limit=20";
  };
  auto ready_start = Clock::now();
  for (;;) {
    auto answer = organizer.send("GET", matches_of(buyers.front()));
    if (answer.status == 200) break;
    if (answer.status != 503 || Clock::now() - ready_start > kBuildWait) {
      throw std::runtime_error("matches never became readable: HTTP " +
                               std::to_string(answer.status) + " " + answer.body);
    }
  }
  double caught_up_ms = ms_since(import_start);

  // N changes, alternating buyers and companies; each a real change (another participant's
  // text or markets), each followed at once by a read of the changer's matches.
  std::vector<double> post_to_matches, patch_only, floor;
  for (int i = 0; i < options.changes; ++i) {
    bool buyer = i % 2 == 0;
    std::size_t k = static_cast<std::size_t>(i / 2);
    const Imported& who =
        buyer ? buyers[(k * 7919) % buyers.size()] : companies[(k * 7919) % companies.size()];
    std::string body;
    if (buyer) {
      const auto& donor =
          event.buyers[(k * 7919 + 1 + static_cast<std::size_t>(i)) % event.buyers.size()];
      body = "{\"products_sought\":" +
             json::quote(donor.products_sought + " (" + std::to_string(i) + ")") + "}";
    } else {
      const auto& donor = event.companies[(k * 7919 + 1) % event.companies.size()];
      std::string markets = "[";
      for (const auto& m : donor.target_markets) {
        markets += (markets.size() > 1 ? "," : "") + json::quote(m);
      }
      markets +=
          std::string(markets.size() > 1 ? "," : "") + "\"" + (i % 4 == 1 ? "VN" : "TH") + "\"]";
      body = "{\"target_markets\":" + markets + "}";
    }
    std::string profile = "/v1/events/" + e + "/participants/" + who.id;
    auto start = Clock::now();
    auto patched = parse(organizer.send("PATCH", profile, body), 200, "patch");
    patch_only.push_back(ms_since(start));
    long long version = patched["version"].GetInt64();
    auto list = parse(organizer.send("GET", matches_of(who)), 200, "matches after patch");
    post_to_matches.push_back(ms_since(start));
    if (list["profile_version"].GetInt64() != version) {
      throw std::runtime_error("stale matches served: version " +
                               std::to_string(list["profile_version"].GetInt64()) + " after " +
                               std::to_string(version));
    }
    // The floor: the same PATCH path and a read that needs no matcher.
    auto floor_start = Clock::now();
    parse(organizer.send("PATCH", profile, body), 200, "patch again");  // unchanged: no event
    parse(organizer.send("GET", profile), 200, "profile");
    floor.push_back(ms_since(floor_start));
  }

  double peer_ms = peer_full_recompute_ms(event, catalogs);
  double p50 = percentile(post_to_matches, 0.5), p99 = percentile(post_to_matches, 0.99);
  std::printf("event: %zu companies x %zu buyers (generated, seed %llu)\n", options.companies,
              options.buyers, static_cast<unsigned long long>(kSeed));
  std::printf("import over HTTP: %.0f ms; matches readable for all after %.0f ms\n", import_ms,
              caught_up_ms);
  std::printf(
      "profile change -> own matches readable (%d changes): p50 %.1f ms  p99 %.1f ms  "
      "max %.1f ms\n",
      options.changes, p50, p99, percentile(post_to_matches, 1.0));
  std::printf("  of which the PATCH alone: p50 %.1f ms  p99 %.1f ms\n", percentile(patch_only, 0.5),
              percentile(patch_only, 0.99));
  std::printf("floor (PATCH unchanged + GET profile, no matching): p50 %.1f ms  p99 %.1f ms\n",
              percentile(floor, 0.5), percentile(floor, 0.99));
  std::printf(
      "peer: recompute everything per change (in-process build + full recompute, no "
      "I/O): %.0f ms  -> %.1fx our p99\n",
      peer_ms, peer_ms / p99);
  std::printf(
      "e2e_matching: %zu companies x %zu buyers, post->matches p50 %.1f ms p99 %.1f ms; "
      "full-recompute peer %.0f ms (%.1fx p99)\n",
      options.companies, options.buyers, p50, p99, peer_ms, peer_ms / p99);
  return 0;
}

}  // namespace sangdam::bench

int main(int argc, char** argv) {
  try {
    return sangdam::bench::run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_e2e_matching: %s\n", e.what());
    return 1;
  }
}
