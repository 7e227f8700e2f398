// sangdam gen --buyers N --companies M --seed S [--out DIR] [--taxonomy FILE] [--markets FILE]
//
// Generates a deterministic event of any size (matching/generator/). With --out, writes
// DIR/event.json, DIR/buyers.json, DIR/companies.json and DIR/truth.json (the planted
// preferences); without, prints a one-object JSON summary. Reference data come from
// config/taxonomy.json and config/markets.json of the working directory when present (or the
// files named), else from the generator's built-in subset of the same codes.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "matching/catalog.hpp"
#include "matching/error.hpp"
#include "matching/generator/event_generator.hpp"
#include "services/cli/command.hpp"

namespace sangdam::cli {

namespace {

constexpr const char* kUsage =
    "usage: sangdam gen --buyers N --companies M [--seed S] [--out DIR]\n"
    "                   [--taxonomy FILE] [--markets FILE]\n"
    "Generates a deterministic event (at most 1000000 buyers and companies each).\n";

std::optional<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool write_file(const std::filesystem::path& path, const std::string& text) {
  // Written beside the target and renamed, so a reader never sees half a file.
  const auto partial = path.string() + ".partial";
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    if (!out.write(text.data(), static_cast<std::streamsize>(text.size()))) return false;
  }
  std::error_code error;
  std::filesystem::rename(partial, path, error);
  return !error;
}

std::optional<std::uint64_t> parse_count(const std::string& text, std::uint64_t limit) {
  if (text.empty() || text.size() > 19 ||
      text.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  const std::uint64_t value = std::stoull(text);
  if (value > limit) return std::nullopt;
  return value;
}

int gen(const std::vector<std::string>& args) {
  generator::GeneratorOptions options;
  std::string out_dir;
  std::string taxonomy_path = "config/taxonomy.json";
  std::string markets_path = "config/markets.json";
  bool explicit_reference = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    if (flag == "--help" || flag == "-h") {
      std::printf("%s", kUsage);
      return 0;
    }
    if (i + 1 >= args.size()) {
      std::fprintf(stderr, "sangdam gen: %s needs a value\n%s", flag.c_str(), kUsage);
      return 2;
    }
    const std::string& value = args[++i];
    if (flag == "--buyers" || flag == "--companies") {
      const auto count =
          parse_count(value, flag == "--buyers" ? generator::kMaxBuyers : generator::kMaxCompanies);
      if (!count) {
        std::fprintf(stderr, "sangdam gen: %s must be a whole number up to 1000000\n",
                     flag.c_str());
        return 2;
      }
      (flag == "--buyers" ? options.buyers : options.companies) = *count;
    } else if (flag == "--seed") {
      const auto seed = parse_count(value, UINT64_MAX);
      if (!seed) {
        std::fprintf(stderr, "sangdam gen: --seed must be a whole number\n");
        return 2;
      }
      options.seed = *seed;
    } else if (flag == "--out") {
      out_dir = value;
    } else if (flag == "--taxonomy") {
      taxonomy_path = value;
      explicit_reference = true;
    } else if (flag == "--markets") {
      markets_path = value;
      explicit_reference = true;
    } else {
      std::fprintf(stderr, "sangdam gen: unknown option %s\n%s", flag.c_str(), kUsage);
      return 2;
    }
  }

  std::optional<Taxonomy> taxonomy;
  std::optional<Markets> markets;
  const auto taxonomy_text = read_file(taxonomy_path);
  const auto markets_text = read_file(markets_path);
  if (explicit_reference && (!taxonomy_text || !markets_text)) {
    std::fprintf(stderr, "sangdam gen: cannot read %s\n",
                 (!taxonomy_text ? taxonomy_path : markets_path).c_str());
    return 2;
  }
  if (taxonomy_text) taxonomy = Taxonomy::from_json(*taxonomy_text);
  if (markets_text) markets = Markets::from_json(*markets_text);
  const generator::GeneratedEvent event = generator::generate_event(
      options, taxonomy ? &*taxonomy : nullptr, markets ? &*markets : nullptr);

  std::size_t intended = 0;
  for (const auto& truth : event.truth) intended += truth.intended.size();
  if (out_dir.empty()) {
    std::printf(
        "{\"buyers\":%zu,\"companies\":%zu,\"seed\":%llu,\"interpreter_pairs\":%zu,"
        "\"slots\":%d,\"intended_pairs\":%zu,\"reference\":\"%s\"}\n",
        event.buyers.size(), event.companies.size(), static_cast<unsigned long long>(options.seed),
        event.interpreter_pairs.size(), event.slot_count, intended,
        taxonomy ? "config" : "builtin");
    return 0;
  }
  std::error_code error;
  std::filesystem::create_directories(out_dir, error);
  if (error) {
    std::fprintf(stderr, "sangdam gen: cannot create %s: %s\n", out_dir.c_str(),
                 error.message().c_str());
    return 1;
  }
  const std::filesystem::path dir(out_dir);
  const std::pair<const char*, std::string> files[] = {
      {"event.json", generator::event_json(event)},
      {"buyers.json", generator::buyers_json(event)},
      {"companies.json", generator::companies_json(event)},
      {"truth.json", generator::truth_json(event)}};
  for (const auto& [name, text] : files) {
    if (!write_file(dir / name, text)) {
      std::fprintf(stderr, "sangdam gen: cannot write %s\n", (dir / name).string().c_str());
      return 1;
    }
  }
  std::printf("wrote %zu buyers and %zu companies to %s\n", event.buyers.size(),
              event.companies.size(), out_dir.c_str());
  return 0;
}

}  // namespace

SANGDAM_CLI_COMMAND("gen", "generate a deterministic event with planted preferences", gen);

}  // namespace sangdam::cli
