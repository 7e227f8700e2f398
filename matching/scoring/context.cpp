#include "matching/scoring/context.hpp"

#include "matching/error.hpp"

namespace sangdam::scoring {

namespace {
std::pair<std::string, std::string> ordered(std::string_view a, std::string_view b) {
  return a < b ? std::pair{std::string(a), std::string(b)}
               : std::pair{std::string(b), std::string(a)};
}
}  // namespace

void InterpreterPairs::add(std::string_view pair) {
  const auto dash = pair.find('-');
  if (dash == std::string_view::npos) {
    throw_invalid("invalid_interpreter_pair",
                  "an interpreter pair is two language codes joined by '-', like vi-ko",
                  "interpreters");
  }
  const auto a = pair.substr(0, dash);
  const auto b = pair.substr(dash + 1);
  if (!is_language_code(a) || !is_language_code(b) || a == b) {
    throw_invalid(
        "invalid_interpreter_pair",
        "interpreter pair '" + std::string(pair) + "' needs two different ISO 639-1 codes",
        "interpreters");
  }
  pairs_.insert(ordered(a, b));
}

bool InterpreterPairs::covers(std::string_view a, std::string_view b) const {
  return pairs_.count(ordered(a, b)) > 0;
}

}  // namespace sangdam::scoring
