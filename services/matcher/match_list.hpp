// A participant's ranked counterparts as the matches endpoint serves them: ready-to-serve JSON
// built from the index, so that reading a list is one Redis GET and no scoring. Pure: no I/O.
//
//   {"participant_id": "b_..", "role": "buyer", "profile_version": 3, "generation": 17,
//    "items": [{"score": 87.5, "id": "c_..", <counterpart's public display fields>,
//               "reasons": [{"component": "category", "contribution": 30.0, "text": ".."}]}]}
//
// A buyer's items are companies (name_en, name_ko, categories, target_markets, venue, table);
// a company's items are buyers (organisation, country, buyer_type, categories). Scores and
// contributions are rounded to one decimal.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "matching/scoring/match_index.hpp"

namespace sangdam::matcher {

// Explaining a pair (score_pair with reasons) costs far more than ranking it, and one profile
// change rewrites every list it touched, most of whose entries did not change. So the entry
// text of a pair (display fields + reasons) is kept until either side's profile changes.
class ListWriter {
 public:
  // The participant's profile changed: its entries are explained again when next needed.
  void touch(scoring::Side side, std::size_t index);
  // A new index (indexes and term statistics changed): forget everything.
  void clear();

  // side: whose list (kBuyer: owner is a buyer index). profile_version: the owner's stored
  // profile version; generation: the event's profile generation the lists reflect.
  std::string list_json(const scoring::MatchIndex& index, scoring::Side side, std::size_t owner,
                        long long profile_version, long long generation);

  std::size_t cached_entries() const { return buyer_side_.size() + company_side_.size(); }

 private:
  struct Cached {
    std::uint32_t buyer_stamp;
    std::uint32_t company_stamp;
    std::string json;  // the item object without its score: "\"id\":...,\"reasons\":[...]"
  };
  const std::string& entry(const scoring::MatchIndex& index, scoring::Side side, std::size_t buyer,
                           std::size_t company);
  std::uint32_t stamp(const std::vector<std::uint32_t>& stamps, std::size_t index) const {
    return index < stamps.size() ? stamps[index] : 0;
  }

  std::vector<std::uint32_t> buyer_stamps_;                 // bumped by touch(kBuyer, i)
  std::vector<std::uint32_t> company_stamps_;               // bumped by touch(kCompany, i)
  std::unordered_map<std::uint64_t, Cached> buyer_side_;    // (buyer, company) -> buyer's view
  std::unordered_map<std::uint64_t, Cached> company_side_;  // (buyer, company) -> company's view
};

// One decimal, as clients see scores: 87.25 -> 87.3.
double one_decimal(double value);

}  // namespace sangdam::matcher
