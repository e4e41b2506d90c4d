// dabba wait [--condition STATE]... [-i] [-l] [--interval DURATION] CONTAINER...
//
// Blocks until each container reaches the condition (default: stopped, i.e. exited) and prints
// its exit code, as podman-wait(1). Polls the state file (the owner writes it on exit), which
// works the same for foreground and detached containers. Reads only: no user namespace.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/container_targets.h"
#include "cli/containers.h"
#include "cli/image_filters.h"
#include "common/child_process.h"
#include "common/error.h"

namespace dabba::cli {
namespace {

bool condition_met(const ContainerView& v, const std::vector<std::string>& conditions) {
  const std::string state = state_name(v);
  for (const std::string& c : conditions) {
    if ((c == "stopped" || c == "exited") && state == "exited") return true;
    // podman: a container that never ran is not running either (wait answers 0 at once).
    if (c == "stopped" && state == "created") return true;
    if (c == state) return true;
  }
  return false;
}

// --interval: a Go duration ("250ms", "1s") or a bare number of milliseconds, as podman's.
std::chrono::milliseconds poll_interval(const std::string& text) {
  int64_t ms = 0;
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos)
    ms = std::stoll(text);
  else if (text.size() > 2 && text.compare(text.size() - 2, 2, "ms") == 0 &&
           text.find_first_not_of("0123456789") == text.size() - 2)
    ms = std::stoll(text.substr(0, text.size() - 2));
  else
    ms = parse_go_duration(text) * 1000;  // throws Error{kInvalidArgument} for nonsense
  return std::chrono::milliseconds(ms > 0 ? ms : 250);
}

}  // namespace

Command add_wait(CLI::App& parent) {
  struct Args {
    std::vector<std::string> conditions;
    std::string interval = "250ms";
    TargetFlags targets;
  };
  auto args = std::make_shared<Args>();
  Command cmd = podman_verb(parent, "wait", "Wait for containers to stop and print exit codes",
                            Needs::kNothing);
  repeatable(cmd.app->add_option("--condition", args->conditions,
                                 "running, created, exited or stopped (default: stopped)"));
  cmd.app->add_option("-i,--interval", args->interval, "how often to check (default 250ms)");
  cmd.app->add_flag("--ignore", args->targets.ignore, "no error for a missing container");
  cmd.app->add_flag("-l,--latest", args->targets.latest, "the newest container");
  cmd.app->add_option("container", args->targets.names, "container names or ids");
  cmd.run = [args](const Globals& globals) {
    std::vector<std::string> conditions = args->conditions;
    if (conditions.empty()) conditions = {"stopped"};
    for (const std::string& c : conditions)
      if (c != "running" && c != "created" && c != "exited" && c != "stopped" &&
          c != "configured" && c != "paused")
        throw Error(Errc::kInvalidArgument, "invalid condition \"" + c + "\"", 0,
                    "--condition is running, created, exited or stopped");
    const std::chrono::milliseconds interval = poll_interval(args->interval);
    Store store = Store::open(globals.root());
    int rc = kExitOk;
    for (const std::string& name : resolve_targets(store, args->targets)) {
      try {
        const ContainerRecord record = find_container(store, name);
        std::chrono::steady_clock::time_point unrecorded_since{};
        for (;;) {
          // Gone meanwhile (a --rm container): podman answers with its last known code.
          std::optional<ContainerRecord> now = store.container(record.id);
          if (!now) {
            std::printf("-1\n");
            break;
          }
          ContainerView v = view_container(store, *now);
          // PID 1 is gone but its owner has not recorded the exit yet (it is about to): wait for
          // the record, so the code printed is the exit's, not -1. At most 5 s, as logs -f.
          if (v.state && v.state->status == runner::ContainerStatus::kRunning && !v.running &&
              runner::supervisor_alive(v.dir, *v.state)) {
            const auto now_time = std::chrono::steady_clock::now();
            if (unrecorded_since == std::chrono::steady_clock::time_point{})
              unrecorded_since = now_time;
            if (now_time - unrecorded_since < std::chrono::seconds(5)) {
              std::this_thread::sleep_for(std::chrono::milliseconds(10));
              continue;
            }
          }
          if (condition_met(v, conditions)) {
            int code = v.state && v.state->status == runner::ContainerStatus::kExited
                           ? v.state->exit_code
                       : state_name(v) == "created" ? 0
                                                    : -1;
            std::printf("%d\n", code);
            break;
          }
          // A running PID 1's pidfd wakes us at its exit; the interval still bounds the wait (the
          // other conditions, a pause).
          if (v.running) {
            const UniqueFd pidfd = open_pidfd(v.state->pid);
            if (pidfd.valid()) {
              wait_pidfd(pidfd.get(), interval);
              continue;
            }
          }
          std::this_thread::sleep_for(interval);
        }
        std::fflush(stdout);
      } catch (const Error& e) {
        if (args->targets.ignore && e.code() == Errc::kNotFound) {
          std::printf("-1\n");
          continue;
        }
        report_error(e);
        rc = kExitDabbaFailed;
      }
    }
    return rc;
  };
  return cmd;
}

}  // namespace dabba::cli
