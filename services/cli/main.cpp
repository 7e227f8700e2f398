// sangdam: the operator tool. `sangdam --help` lists the commands; each one documents itself
// with `sangdam COMMAND --help`.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "services/cli/command.hpp"
#include "services/common/version.hpp"

namespace sangdam::cli {

namespace {
std::vector<Command>& registry() {
  static std::vector<Command> all;
  return all;
}
}  // namespace

bool register_command(Command command) {
  registry().push_back(command);
  return true;
}

const std::vector<Command>& commands() {
  return registry();
}

namespace {

void print_usage() {
  std::printf("usage: sangdam COMMAND [ARGS...]\n\nThe operator tool of sangdam %s.\n\ncommands:\n",
              std::string(kVersion).c_str());
  auto sorted = commands();
  std::sort(sorted.begin(), sorted.end(),
            [](const Command& a, const Command& b) { return a.name < b.name; });
  for (const auto& c : sorted) {
    std::printf("  %-10s %s\n", std::string(c.name).c_str(), std::string(c.summary).c_str());
  }
  std::printf("\n`sangdam COMMAND --help` describes one command.\n");
}

int version(const std::vector<std::string>&) {
  std::printf("sangdam %s\n", std::string(kVersion).c_str());
  return 0;
}
SANGDAM_CLI_COMMAND("version", "print the version", version);

}  // namespace
}  // namespace sangdam::cli

int main(int argc, char** argv) {
  using namespace sangdam::cli;
  if (argc < 2) {
    print_usage();
    return 2;
  }
  std::string name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    print_usage();
    return 0;
  }
  if (name == "--version") name = "version";
  std::vector<std::string> args(argv + 2, argv + argc);
  for (const auto& c : commands()) {
    if (c.name == name) {
      try {
        return c.run(args);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "sangdam %s: %s\n", name.c_str(), e.what());
        return 1;
      }
    }
  }
  std::fprintf(stderr, "sangdam: unknown command '%s' (see sangdam --help)\n", name.c_str());
  return 2;
}
