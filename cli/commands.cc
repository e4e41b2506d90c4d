#include "cli/commands.h"

#include <CLI/CLI.hpp>

#include "cli/completion.h"

namespace dabba::cli {

CLI::Option* repeatable(CLI::Option* option) {
  return option->allow_extra_args(false)->expected(1)->multi_option_policy(
      CLI::MultiOptionPolicy::TakeAll);
}

Command podman_verb(CLI::App& parent, const std::string& name, const std::string& description,
                    Needs needs) {
  Command cmd;
  cmd.app = parent.add_subcommand(name, description);
  cmd.needs = needs;
  cmd.error_exit = kExitDabbaFailed;
  return cmd;
}

CLI::App& add_group(CLI::App& parent, const std::string& name, const std::string& description) {
  CLI::App* group = parent.add_subcommand(name, description);
  group->require_subcommand(1);
  return *group;
}

std::vector<Command> register_commands(CLI::App& app) {
  std::vector<Command> c;
  // Image verbs.
  c.push_back(add_pull(app));
  c.push_back(add_push(app));
  c.push_back(add_images(app));
  c.push_back(add_rmi(app));
  c.push_back(add_load(app));
  c.push_back(add_save(app));
  c.push_back(add_import(app));
  c.push_back(add_tag(app));
  c.push_back(add_untag(app));
  c.push_back(add_history(app));
  c.push_back(add_inspect(app));
  for (Command& g : add_image_group(app)) c.push_back(std::move(g));
  c.push_back(add_gc(app));
  c.push_back(add_check(app));
  c.push_back(add_login(app));
  c.push_back(add_logout(app));
  // Container verbs.
  c.push_back(add_create(app));
  c.push_back(add_run(app));
  c.push_back(add_start(app));
  c.push_back(add_attach(app));
  c.push_back(add_restart(app));
  c.push_back(add_rename(app));
  c.push_back(add_port(app));
  c.push_back(add_pause(app));
  c.push_back(add_unpause(app));
  c.push_back(add_ps(app));
  c.push_back(add_stop(app));
  c.push_back(add_rm(app));
  c.push_back(add_exec(app));
  c.push_back(add_logs(app));
  c.push_back(add_commit(app));
  c.push_back(add_export(app));
  c.push_back(add_cp(app));
  c.push_back(add_diff(app));
  c.push_back(add_top(app));
  for (Command& g : add_volume_group(app)) c.push_back(std::move(g));
  for (Command& g : add_network_group(app)) c.push_back(std::move(g));
  c.push_back(add_wait(app));
  c.push_back(add_kill(app));
  for (Command& g : add_container_group(app)) c.push_back(std::move(g));
  // Host.
  c.push_back(add_info(app));
  c.push_back(add_version(app));
  for (Command& g : add_system_group(app)) c.push_back(std::move(g));
  c.push_back(add_unshare(app));
  c.push_back(add_completion(app));
  return c;
}

}  // namespace dabba::cli
