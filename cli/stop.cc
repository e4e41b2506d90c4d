// dabba stop [-t SECS] NAME...
//
// The container's stop signal (--stop-signal, else the image's StopSignal, else SIGTERM), then
// SIGKILL after the grace period (-t, else --stop-timeout, else 10 s); returns once the owner of
// the container (the detached supervisor, or the foreground `dabba run`) has recorded the exit.
//
// Runs in the initial user namespace: a rootless container's processes run as subordinate ids in
// the user namespace the caller owns, and only from outside it may the caller signal them.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/containers.h"
#include "common/error.h"
#include "runner/stop.h"
#include "store/store.h"

namespace dabba::cli {

Command add_stop(CLI::App& parent) {
  struct Args {
    std::optional<int> timeout;
    std::vector<std::string> names;
  };
  auto args = std::make_shared<Args>();
  Command cmd;
  cmd.app = parent.add_subcommand("stop", "Stop running containers");
  cmd.app
      ->add_option("-t,--time", args->timeout,
                   "seconds to wait for the stop signal to work before SIGKILL")
      ->check(CLI::Range(0, 24 * 3600));
  cmd.app->add_option("container", args->names, "container names or ids")->required();
  cmd.needs = Needs::kNothing;
  cmd.run = [args](const Globals& globals) {
    Store store = Store::open(globals.root());
    int rc = kExitOk;
    for (const std::string& name : args->names) {
      try {
        ContainerView v = view_container(store, find_container(store, name));
        int seconds = args->timeout.value_or(v.info.stop_timeout);
        runner::stop_container(v.dir, v.info.stop_signal, std::chrono::seconds(seconds));
        std::printf("%s\n", name.c_str());
        std::fflush(stdout);
      } catch (const Error& e) {
        report_error(e);
        rc = kExitFailure;
      }
    }
    return rc;
  };
  return cmd;
}

}  // namespace dabba::cli
