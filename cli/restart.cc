// dabba restart [-t SECS] [--all] [-l] [--running] CONTAINER...
//
// podman-restart(1): stops each running container as `stop` does (its stop signal, SIGKILL after
// -t seconds, else its --stop-timeout), then starts it again from its saved Spec as `start` does,
// detached; a created or exited one is just started. Prints each name as typed. The stops run in
// parallel from the initial user namespace (as stop's must), the starts from dabba's, after.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/container_start.h"
#include "cli/container_targets.h"
#include "cli/containers.h"
#include "cli/global_flags.h"
#include "common/error.h"
#include "common/userns.h"
#include "runner/state.h"
#include "runner/stop.h"
#include "store/store.h"

namespace dabba::cli {
namespace {

struct RestartFlags {
  std::optional<int> timeout;
  bool running_only = false;
  TargetFlags targets;
};

int restart_containers(const Globals& globals, const RestartFlags& f) {
  check_runtime_flags(globals);
  struct Target {
    std::string typed;
    std::string id;
    bool ok = true;
  };
  std::vector<Target> targets;
  std::vector<ContainerView> views;
  {
    Store store = Store::open(globals.root());
    for (const std::string& n : resolve_targets(store, f.targets)) {
      ContainerView v = view_container(store, find_container(store, n));
      if (f.running_only && !v.running) continue;
      targets.push_back({n, v.record.id});
      views.push_back(std::move(v));
    }
  }  // closed before the threads and the namespace change

  int rc = kExitOk;
  for_each_parallel(targets.size(), 32, [&](size_t i) {
    const ContainerView& v = views[i];
    try {
      int seconds = f.timeout.value_or(v.info.stop_timeout);
      if (seconds < 0) seconds = 24 * 3600;
      runner::stop_container(v.dir, v.info.stop_signal, std::chrono::seconds(seconds));
      // stop gives up waiting for the supervisor after a while: one still running would record
      // its exit over the new start (and may hold the published ports).
      std::optional<runner::ContainerState> s = runner::read_state(v.dir);
      if (s && runner::supervisor_alive(v.dir, *s))
        throw Error(Errc::kConflict, targets[i].typed +
                                         ": its supervisor has not finished the stop yet; "
                                         "try the restart again");
    } catch (const Error& e) {
      targets[i].ok = false;
      report_error(e);  // (stderr writes of whole lines; the error count is set below)
    }
  });

  enter_default_user_namespace();
  Store store = Store::open(globals.root());
  for (const Target& t : targets) {
    if (!t.ok) {
      rc = kExitDabbaFailed;
      continue;
    }
    // Read again: a --rm container is gone once stopped, and the state has changed.
    if (!act_and_print(t.typed, [&] {
          start_saved(store, view_container(store, find_container(store, t.id)));
        }))
      rc = kExitDabbaFailed;
  }
  return rc;
}

}  // namespace

Command add_restart(CLI::App& parent) {
  auto args = std::make_shared<RestartFlags>();
  // the stops run from the initial user namespace
  Command cmd = podman_verb(parent, "restart", "Restart one or more containers", Needs::kNothing);
  cmd.app
      ->add_option("-t,--time", args->timeout,
                   "seconds to wait for the stop signal to work before SIGKILL")
      ->check(CLI::Range(-1, 24 * 3600));
  cmd.app->add_flag("--running", args->running_only, "only the running ones");
  add_target_flags(*cmd.app, args->targets, false);
  cmd.run = [args](const Globals& globals) { return restart_containers(globals, *args); };
  return cmd;
}

}  // namespace dabba::cli
