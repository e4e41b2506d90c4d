// Every verb of dabba, in the order `dabba --help` lists them.
#pragma once

#include <vector>

#include "cli/command.h"

namespace dabba::cli {

std::vector<Command> register_commands(CLI::App& app);

// Image verbs (one file each).
Command add_pull(CLI::App& parent);
Command add_push(CLI::App& parent);
Command add_images(CLI::App& parent);
Command add_rmi(CLI::App& parent);
Command add_load(CLI::App& parent);
Command add_gc(CLI::App& parent);
Command add_check(CLI::App& parent);
Command add_login(CLI::App& parent);
Command add_logout(CLI::App& parent);
Command add_info(CLI::App& parent);

// Container verbs (one file each).
Command add_run(CLI::App& parent);
Command add_ps(CLI::App& parent);
Command add_stop(CLI::App& parent);
Command add_rm(CLI::App& parent);
Command add_exec(CLI::App& parent);
Command add_logs(CLI::App& parent);

}  // namespace dabba::cli
