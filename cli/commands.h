// Every verb of dabba, in the order `dabba --help` lists them.
#pragma once

#include <vector>

#include "cli/command.h"

namespace dabba::cli {

std::vector<Command> register_commands(CLI::App& app);

// Image verbs (one file each).
Command add_pull(CLI::App& parent);
Command add_images(CLI::App& parent);
Command add_rmi(CLI::App& parent);
Command add_load(CLI::App& parent);
Command add_gc(CLI::App& parent);
Command add_check(CLI::App& parent);
Command add_login(CLI::App& parent);
Command add_logout(CLI::App& parent);
Command add_info(CLI::App& parent);

}  // namespace dabba::cli
