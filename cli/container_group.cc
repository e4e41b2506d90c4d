// dabba container <verb>: podman's container group (container ls/list/ps, rm, stop, inspect,
// exists, run, exec, logs, commit, export, wait, kill, create, start, restart, rename, port, pause,
// unpause), the same verbs as the top-level ones, and prune and cleanup, which are only here.
#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace dabba::cli {

std::vector<Command> add_container_group(CLI::App& parent) {
  CLI::App& group = add_group(parent, "container", "Manage containers (container ls, ...)");
  std::vector<Command> c = {
      add_ps(group, "ls"),         add_rm(group),          add_stop(group),
      add_container_inspect(group), add_container_exists(group), add_run(group),
      add_exec(group),             add_logs(group),        add_commit(group),
      add_export(group),           add_wait(group),        add_kill(group),
      add_create(group),           add_start(group),       add_restart(group),
      add_rename(group),           add_port(group),        add_pause(group),
      add_unpause(group),          add_container_prune(group), add_attach(group),
      add_container_cleanup(group)};
  c.front().app->alias("list")->alias("ps");
  return c;
}

}  // namespace dabba::cli
