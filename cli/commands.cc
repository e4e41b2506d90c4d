#include "cli/commands.h"

#include <CLI/CLI.hpp>

namespace dabba::cli {

std::vector<Command> register_commands(CLI::App& app) {
  std::vector<Command> c;
  // Image verbs.
  c.push_back(add_pull(app));
  c.push_back(add_push(app));
  c.push_back(add_images(app));
  c.push_back(add_rmi(app));
  c.push_back(add_load(app));
  c.push_back(add_gc(app));
  c.push_back(add_check(app));
  c.push_back(add_login(app));
  c.push_back(add_logout(app));
  // Container verbs.
  c.push_back(add_run(app));
  c.push_back(add_ps(app));
  c.push_back(add_stop(app));
  c.push_back(add_rm(app));
  c.push_back(add_exec(app));
  c.push_back(add_logs(app));
  // Host.
  c.push_back(add_info(app));
  return c;
}

}  // namespace dabba::cli
