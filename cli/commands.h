// Every verb of dabba, in the order `dabba --help` lists them.
#pragma once

#include <vector>

#include "cli/command.h"

namespace dabba::cli {

std::vector<Command> register_commands(CLI::App& app);

}  // namespace dabba::cli
