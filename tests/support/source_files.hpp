// Small helpers for tests that read files of the source tree and look at refusals.
#pragma once

#include <catch2/catch.hpp>

#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include "matching/error.hpp"

namespace sangdam::testing {

// A file of the repository (config/, docs/, samples), by its path from the root.
inline std::string read_repo_file(const std::string& relative) {
  std::ifstream in(std::string(SANGDAM_SOURCE_DIR) + "/" + relative, std::ios::binary);
  REQUIRE(in.good());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// "reason@field" of the sangdam::Error that `action` throws, or "no error".
inline std::string reason_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const sangdam::Error& e) {
    return e.reason() + "@" + e.field();
  }
  return "no error";
}

}  // namespace sangdam::testing
