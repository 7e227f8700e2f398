// What the scorer knows about one trade event beyond the profiles: the taxonomy, the markets,
// the interpreters booked for it and the scoring knobs. Built once per event.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "matching/catalog.hpp"
#include "matching/scoring/config.hpp"

namespace sangdam::scoring {

// Interpreter language pairs available at the event, order-insensitive: "vi-ko" == "ko-vi".
class InterpreterPairs {
 public:
  // "vi-ko": two ISO 639-1 codes joined by '-'. Throws sangdam::Error(kInvalidArgument,
  // "invalid_interpreter_pair", ..., "interpreters") otherwise.
  void add(std::string_view pair);
  bool covers(std::string_view a, std::string_view b) const;
  const std::set<std::pair<std::string, std::string>>& pairs() const { return pairs_; }

 private:
  std::set<std::pair<std::string, std::string>> pairs_;  // (smaller, larger) code
};

struct MatchContext {
  Taxonomy taxonomy;
  Markets markets;
  InterpreterPairs interpreters;
  MatchConfig config;
};

}  // namespace sangdam::scoring
