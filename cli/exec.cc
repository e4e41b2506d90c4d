// dabba exec [-i] [-t] [-e K=V] [-u USER] [-w DIR] [--preserve-fds N] NAME COMMAND [ARG...]
//
// A new process in a running container: it joins the container's namespaces and cgroups and
// starts with the container's environment (plus -e), user and working directory unless -u / -w
// say otherwise. Exit codes as run's: the command's own, 125/126/127 for dabba's failure, a
// command that cannot be executed, one that is not found.
//
// Runs in the initial user namespace: only the owner of the container's user namespace, from
// outside it, may setns() into it (runner/join.h).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <optional>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/container_names.h"
#include "cli/containers.h"
#include "cli/preserve_fds.h"
#include "common/error.h"
#include "runner/container.h"
#include "runner/detach_keys.h"
#include "runner/env.h"
#include "runner/join.h"
#include "store/store.h"

namespace dabba::cli {
namespace {

struct ExecArgs {
  bool interactive = false;
  bool tty = false;
  bool detach = false;
  std::vector<std::string> env;
  std::optional<std::string> user;
  std::optional<std::string> workdir;
  std::string detach_keys = runner::kDefaultDetachKeys;
  int preserve_fds = 0;
  std::vector<std::string> rest;  // NAME COMMAND [ARG...]
};

int exec_in_container(const Globals& globals, const ExecArgs& a) {
  size_t i = !a.rest.empty() && a.rest[0] == "--" ? 1 : 0;
  if (a.rest.size() < i + 2)
    throw Error(Errc::kInvalidArgument, "exec needs a container and a command", 0,
                "dabba exec [FLAGS] CONTAINER COMMAND [ARG...]");
  if (a.rest[i].size() > 1 && a.rest[i][0] == '-')
    throw Error(Errc::kInvalidArgument, "unknown flag '" + a.rest[i] + "' for exec");
  const std::string& name = a.rest[i];
  runner::parse_detach_keys(a.detach_keys);
  check_preserve_fds(a.preserve_fds, true);
  if (a.workdir && (a.workdir->empty() || (*a.workdir)[0] != '/'))
    throw Error(Errc::kInvalidArgument, "-w '" + *a.workdir + "' must be an absolute path");

  ContainerView v;
  {
    Store store = Store::open(globals.root());
    v = view_container(store, find_container(store, name));
  }
  if (!v.running)  // podman's words and exit code (255), checked against podman 4.3 here
    throw runner::ExecError(kExitExecStateInvalid,
                            "can only create exec sessions on running containers: container "
                            "state improper (container " +
                                name + " is not running)");

  runner::JoinSpec join;
  join.pid = v.state->pid;
  join.pid_start_time = v.state->pid_start_time;
  join.cgroups = v.state->cgroups;
  join.argv.assign(a.rest.begin() + static_cast<std::ptrdiff_t>(i) + 1, a.rest.end());
  runner::EnvInputs env;
  env.image_env = v.info.env;  // the container's own environment, as it started
  env.env_flags = a.env;
  env.hostname = v.info.hostname;
  env.tty = a.tty;
  join.env = runner::merge_env(env);
  join.user = a.user.value_or(v.info.user);
  join.cwd = a.workdir.value_or(v.info.cwd);
  join.tty = a.tty;
  join.stdin_open = a.interactive;
  join.capabilities = v.info.capabilities;
  join.seccomp = v.info.seccomp;
  join.seccomp_profile = v.info.seccomp_profile;
  join.group_add = v.info.group_add;
  join.preserve_fds = a.preserve_fds;
  if (a.detach) {
    if (a.preserve_fds > 0)
      throw Error(Errc::kUnsupported, "--preserve-fds is not supported with --detach", 0,
                  "exec in the foreground to pass fds");
    runner::exec_detached(join);
    std::printf("%s\n", new_container_id().c_str());  // podman prints the exec session's id
    return kExitOk;
  }
  return runner::exec_foreground(join);
}

}  // namespace

Command add_exec(CLI::App& parent) {
  auto args = std::make_shared<ExecArgs>();
  Command cmd;
  cmd.app = parent.add_subcommand("exec", "Run a command in a running container");
  CLI::App& app = *cmd.app;
  app.prefix_command();  // the command's own flags are its own
  app.add_flag("-i,--interactive", args->interactive, "keep stdin open");
  app.add_flag("-t,--tty", args->tty, "allocate a pseudo-terminal");
  app.add_flag("-d,--detach", args->detach,
               "run it in the background (its output is dropped); print an exec session id");
  repeatable(app.add_option("-e,--env", args->env,
                            "set an environment variable (K=V, or K to pass ours)"));
  app.add_option("-u,--user", args->user, "user[:group] or uid[:gid] (default: the container's)");
  app.add_option("-w,--workdir", args->workdir, "working directory (default: the container's)");
  app.add_option("--detach-keys", args->detach_keys,
                 "checked; exec's process is this dabba's own, it cannot detach");
  app.add_option("--preserve-fds", args->preserve_fds,
                 "pass N more fds (3 to 3+N-1) to the process");
  cmd.needs = Needs::kNothing;
  CLI::App* self = cmd.app;
  cmd.run = [args, self](const Globals& globals) {
    return with_container_exit_codes([&] {
      args->rest = self->remaining();
      return exec_in_container(globals, *args);
    });
  };
  return cmd;
}

}  // namespace dabba::cli
