#include "cli/commands.h"

#include <CLI/CLI.hpp>

namespace dabba::cli {

std::vector<Command> register_commands(CLI::App& app) {
  std::vector<Command> c;
  // Image verbs.
  c.push_back(add_pull(app));
  c.push_back(add_images(app));
  c.push_back(add_rmi(app));
  c.push_back(add_load(app));
  c.push_back(add_gc(app));
  c.push_back(add_check(app));
  c.push_back(add_login(app));
  c.push_back(add_logout(app));
  // Container verbs.
  c.push_back(add_not_implemented(app, "run", "Run a command in a new container"));
  c.push_back(add_not_implemented(app, "ps", "List containers"));
  c.push_back(add_not_implemented(app, "stop", "Stop running containers"));
  c.push_back(add_not_implemented(app, "rm", "Remove containers"));
  c.push_back(add_not_implemented(app, "exec", "Run a command in a running container"));
  c.push_back(add_not_implemented(app, "logs", "Show the output of a detached container"));
  // Host.
  c.push_back(add_info(app));
  return c;
}

}  // namespace dabba::cli
