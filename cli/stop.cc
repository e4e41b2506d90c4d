// dabba stop [-a] [-i] [-l] [-t SECS] [--cidfile FILE] [CONTAINER...]
//
// The container's stop signal (--stop-signal, else the image's StopSignal, else SIGTERM), then
// SIGKILL after the grace period (-t, else --stop-timeout, else 10 s), with podman's warning when
// the signal did not do it; returns once the owner of the container (the detached supervisor, or
// the foreground `dabba run`) has recorded the exit. Several containers stop in parallel. Prints
// what was typed (-a: the full ids), as podman does; a stopped container is no error.
//
// Runs in the initial user namespace: a rootless container's processes run as subordinate ids in
// the user namespace the caller owns, and only from outside it may the caller signal them.
#include <string.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/container_targets.h"
#include "cli/containers.h"
#include "cli/with_store.h"
#include "common/error.h"
#include "common/log.h"
#include "runner/stop.h"
#include "store/store.h"

namespace dabba::cli {
namespace {

std::string signal_display_name(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return abbrev ? std::string("SIG") + abbrev : std::to_string(sig);
}

}  // namespace

Command add_stop(CLI::App& parent, const std::string& name) {
  struct Args {
    std::optional<int> timeout;
    TargetFlags targets;
  };
  auto args = std::make_shared<Args>();
  Command cmd = podman_verb(parent, name, "Stop running containers", Needs::kNothing);
  cmd.app
      ->add_option("-t,--time,--timeout", args->timeout,
                   "seconds to wait for the stop signal to work before SIGKILL")
      ->check(CLI::Range(-1, 24 * 3600));
  add_target_flags(*cmd.app, args->targets, true);
  cmd.run = with_store([args](Store& store) {
    std::vector<std::string> names = resolve_targets(store, args->targets);
    struct Target {
      std::string typed;
      ContainerView view;
    };
    std::vector<Target> targets;
    int rc = kExitOk;
    for (const std::string& n : names) {
      try {
        targets.push_back({n, view_container(store, find_container(store, n))});
      } catch (const Error& e) {
        if (args->targets.ignore && e.code() == Errc::kNotFound) continue;
        report_error(e);
        rc = kExitDabbaFailed;
      }
    }
    std::mutex mu;
    for_each_parallel(targets.size(), kMaxParallelStops, [&](size_t i) {
      const Target& t = targets[i];
      const ContainerView& v = t.view;
      try {
        int seconds = args->timeout.value_or(v.info.stop_timeout);
        if (seconds < 0) seconds = 24 * 3600;
        runner::StopResult r =
            runner::stop_container(v.dir, v.info.stop_signal, std::chrono::seconds(seconds));
        std::lock_guard lock(mu);
        if (r == runner::StopResult::kKilled && seconds > 0)
          log_warn("StopSignal " + signal_display_name(v.info.stop_signal) +
                   " failed to stop container " + v.record.name + " in " +
                   std::to_string(seconds) + " seconds, resorting to SIGKILL");
        std::printf("%s\n", t.typed.c_str());
        std::fflush(stdout);
      } catch (const Error& e) {
        std::lock_guard lock(mu);
        report_error(e);
        rc = kExitDabbaFailed;
      }
    });
    return rc;
  });
  return cmd;
}

}  // namespace dabba::cli
