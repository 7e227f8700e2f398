// Generated trade events of any size for tests and benchmarks (`sangdam gen`): buyers and
// companies with countries, categories, languages, Korean and English product texts, budgets
// and unavailable slots, plus planted truth: every buyer has a hidden true category and market
// profile and a few intended companies, so that matching quality can be measured
// (docs/matching.md). Deterministic from the seed on every platform: a fixed PRNG
// (splitmix64-seeded xoshiro256**) and no std:: distributions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "matching/catalog.hpp"
#include "matching/profile.hpp"

namespace sangdam::generator {

// Limits of one generated event; cmd_gen rejects larger requests.
inline constexpr std::size_t kMaxBuyers = 1'000'000;
inline constexpr std::size_t kMaxCompanies = 1'000'000;

struct GeneratorOptions {
  std::size_t buyers = 50;
  std::size_t companies = 58;
  std::uint64_t seed = 1;
  std::size_t intended_per_buyer = 4;  // planted companies each buyer truly wants to meet
};

// What a buyer truly wants; the scorer never sees it. Indexes into GeneratedEvent's vectors.
struct BuyerTruth {
  std::vector<std::string> true_categories;  // leaf codes
  std::string true_market;                   // the buyer's country
  std::vector<std::uint32_t> intended;       // grade 2: the companies it came for
  std::vector<std::uint32_t> relevant;       // grade 1: sells a true category, can talk, targets it
};

struct GeneratedEvent {
  std::string name;
  std::vector<Buyer> buyers;
  std::vector<Company> companies;
  std::vector<std::string> interpreter_pairs;  // "vi-ko"
  std::vector<BuyerTruth> truth;               // by buyer index
  int slot_count = 0;                          // slots of the event (3 days)
};

// taxonomy/markets: the event's reference data (config/taxonomy.json, config/markets.json);
// when null, a built-in subset of the same codes is used. Throws sangdam::Error
// (kInvalidArgument) when the sizes exceed the limits or the taxonomy has no leaf category.
GeneratedEvent generate_event(const GeneratorOptions& options, const Taxonomy* taxonomy = nullptr,
                              const Markets* markets = nullptr);

// The built-in reference data (codes that exist in config/taxonomy.json and markets.json).
Taxonomy builtin_taxonomy();
Markets builtin_markets();

// Files of `sangdam gen --out DIR`, in the API formats (docs/matching.md):
std::string event_json(const GeneratedEvent& event);      // event.json: the event body
std::string buyers_json(const GeneratedEvent& event);     // buyers.json: array of profiles
std::string companies_json(const GeneratedEvent& event);  // companies.json
std::string truth_json(const GeneratedEvent& event);      // truth.json: planted preferences

}  // namespace sangdam::generator
