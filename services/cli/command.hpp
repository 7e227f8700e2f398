// The operator CLI `sangdam`: each subcommand lives in its own cmd_<name>.cpp and registers
// itself here with SANGDAM_CLI_COMMAND, so adding a command touches no other file.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sangdam::cli {

// args: the words after the subcommand name. Returns the process exit code
// (0 ok, 1 the work found a problem, 2 bad usage).
using CommandFn = int (*)(const std::vector<std::string>& args);

struct Command {
  std::string_view name;
  std::string_view summary;  // one line for `sangdam --help`
  CommandFn run;
};

bool register_command(Command command);
const std::vector<Command>& commands();

}  // namespace sangdam::cli

#define SANGDAM_CLI_COMMAND(name, summary, fn)    \
  static const bool sangdam_cli_registered_##fn = \
      ::sangdam::cli::register_command({name, summary, fn})
