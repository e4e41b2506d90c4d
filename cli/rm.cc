// dabba rm [-a] [-f] [-i] [-t SECS] [-v] [--depend] [--cidfile FILE] [CONTAINER...]
//
// Removes containers: their record (unpinning the image and its layers) and their directory. A
// running container is refused unless -f, which stops it first (container_removal.h). Exit codes
// as podman-rm(1): 1 when a container does not exist, else 2 when one is running (without -f),
// else 125 for any other failure.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <optional>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/container_removal.h"
#include "cli/container_targets.h"
#include "cli/containers.h"

namespace dabba::cli {

Command add_rm(CLI::App& parent, const std::string& name) {
  struct Args {
    bool force = false;
    bool volumes = false;
    bool depend = false;
    std::optional<int> time;
    TargetFlags targets;
  };
  auto args = std::make_shared<Args>();
  // Enters the namespace itself, after the stops.
  Command cmd = podman_verb(parent, name, "Remove containers", Needs::kNothing);
  cmd.app->add_flag("-f,--force", args->force, "stop a running container first");
  cmd.app
      ->add_option("-t,--time", args->time,
                   "with -f: seconds the stop signal has before SIGKILL (default: SIGKILL at once)")
      ->check(CLI::Range(-1, 24 * 3600));
  cmd.app->add_flag("-v,--volumes", args->volumes, "remove the containers' anonymous volumes");
  cmd.app->add_flag("--depend", args->depend,
                    "remove dependent containers too (dabba's containers have none)");
  add_target_flags(*cmd.app, args->targets, true);
  cmd.run = [args](const Globals& globals) {
    std::vector<std::string> names;
    {
      Store store = Store::open(globals.root());
      names = resolve_targets(store, args->targets);
    }  // closed: remove_containers opens its own, around a namespace change
    ContainerRemoval how;
    how.force = args->force;
    if (args->time) how.stop_seconds = *args->time < 0 ? 24 * 3600 : *args->time;
    how.ignore_missing = args->targets.ignore || args->force;  // podman 4.3: -f implies -i
    how.anonymous_volumes = args->volumes;
    how.on_removed = [](const std::string& n) {
      std::printf("%s\n", n.c_str());
      std::fflush(stdout);
    };
    bool missing = false, running = false;
    how.on_error = [&](const std::string&, const Error& e) {
      report_error(e);
      missing |= e.code() == Errc::kNotFound;
      running |= e.code() == Errc::kConflict;
    };
    if (remove_containers(globals.root(), names, how) == 0) return kExitOk;
    return missing ? kExitFailure : running ? 2 : kExitDabbaFailed;
  };
  return cmd;
}

}  // namespace dabba::cli
