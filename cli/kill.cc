// dabba kill [-s SIGNAL] [-a] [-l] [--cidfile FILE] [CONTAINER...]
//
// Sends a signal (default SIGKILL) to each container's PID 1, as podman-kill(1), and prints what
// was typed (-a: full ids). A container that does not run is podman's "container state improper"
// error (125). Runs in the initial user namespace, which owns the container's (runner/stop.h).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/container_targets.h"
#include "cli/containers.h"
#include "common/child_process.h"
#include "common/error.h"
#include "common/proc_stat.h"
#include "runner/restart_policy.h"
#include "runner/signals.h"

namespace dabba::cli {

Command add_kill(CLI::App& parent) {
  struct Args {
    std::string signal = "KILL";
    TargetFlags targets;
  };
  auto args = std::make_shared<Args>();
  Command cmd = podman_verb(parent, "kill", "Send a signal to containers", Needs::kNothing);
  cmd.app->add_option("-s,--signal", args->signal, "signal name or number (default KILL)");
  add_target_flags(*cmd.app, args->targets, false);
  cmd.run = [args](const Globals& globals) {
    const int sig = runner::parse_signal(args->signal);
    Store store = Store::open(globals.root());
    int rc = kExitOk;
    for (const std::string& name : resolve_targets(store, args->targets)) {
      const bool ok = act_and_print(name, [&] {
        ContainerView v = view_container(store, find_container(store, name));
        if (!v.running)
          throw Error(Errc::kConflict, "can only kill running containers. " + v.record.id +
                                           " is in state " + state_name(v) +
                                           ": container state improper");
        runner::request_stop(v.dir);  // podman: a killed container is not restarted
        UniqueFd pidfd = open_pidfd(v.state->pid);
        // The pidfd pins the process; it must still be the container's (not a recycled pid).
        if (pidfd.valid() && process_start_time(v.state->pid) == v.state->pid_start_time)
          signal_pidfd(pidfd.get(), sig);
      });
      if (!ok) rc = kExitDabbaFailed;
    }
    return rc;
  };
  return cmd;
}

}  // namespace dabba::cli
