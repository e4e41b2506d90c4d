// dabba container <verb>: podman's container group (container ls/list/ps, rm, stop, inspect,
// exists, run, exec, logs, commit, export, wait, kill, create, start, restart, rename, port, pause,
// unpause), the same verbs as the top-level ones, and prune, which is only here.
#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace dabba::cli {

std::vector<Command> add_container_group(CLI::App& parent) {
  CLI::App* group = parent.add_subcommand("container", "Manage containers (container ls, ...)");
  group->require_subcommand(1);
  std::vector<Command> c;
  c.push_back(add_ps(*group, "ls"));
  c.back().app->alias("list")->alias("ps");
  c.push_back(add_rm(*group));
  c.push_back(add_stop(*group));
  c.push_back(add_container_inspect(*group));
  c.push_back(add_container_exists(*group));
  c.push_back(add_run(*group));
  c.push_back(add_exec(*group));
  c.push_back(add_logs(*group));
  c.push_back(add_commit(*group));
  c.push_back(add_export(*group));
  c.push_back(add_wait(*group));
  c.push_back(add_kill(*group));
  c.push_back(add_create(*group));
  c.push_back(add_start(*group));
  c.push_back(add_restart(*group));
  c.push_back(add_rename(*group));
  c.push_back(add_port(*group));
  c.push_back(add_pause(*group));
  c.push_back(add_unpause(*group));
  c.push_back(add_container_prune(*group));
  return c;
}

}  // namespace dabba::cli
