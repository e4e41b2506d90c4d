// dabba rm [-f] NAME...
//
// Removes containers: their record (unpinning the image and its layers) and their directory. A
// running container is refused unless -f, which kills it first (SIGKILL, as Docker's rm -f).
//
// Two phases, because they need different user namespaces: the stop runs from the initial one
// (see stop.cc), the deletion inside dabba's (the upper dir holds files of subordinate ids, and
// overlay's work/work has mode 000). This process is single-threaded throughout, so it can enter
// the namespace between the two.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <memory>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/containers.h"
#include "common/error.h"
#include "common/userns.h"
#include "runner/cgroups.h"
#include "runner/stop.h"
#include "store/store.h"

namespace dabba::cli {

Command add_rm(CLI::App& parent) {
  struct Args {
    bool force = false;
    std::vector<std::string> names;
  };
  auto args = std::make_shared<Args>();
  Command cmd;
  cmd.app = parent.add_subcommand("rm", "Remove containers");
  cmd.app->add_flag("-f,--force", args->force, "kill a running container first");
  cmd.app->add_option("container", args->names, "container names or ids")->required();
  cmd.needs = Needs::kNothing;  // enters the namespace itself, after the stops
  cmd.run = [args](const Globals& globals) {
    int rc = kExitOk;
    struct Target {
      std::string name;  // as typed
      std::string id;
    };
    std::vector<Target> targets;
    {
      Store store = Store::open(globals.root());
      for (const std::string& name : args->names) {
        try {
          ContainerView v = view_container(store, find_container(store, name));
          if (v.running) {
            if (!args->force)
              throw Error(Errc::kConflict, "container " + name + " is running", 0,
                          "stop it first (dabba stop " + name + "), or force it (dabba rm -f)");
            runner::stop_container(v.dir, SIGKILL, std::chrono::seconds(0));
          }
          // Its owner removes the cgroups after the exit; one SIGKILLed before it could has left
          // them (empty now: the container's processes died with its PID 1).
          if (v.state && !v.state->cgroups.empty()) runner::remove_cgroup_dirs(v.state->cgroups);
          targets.push_back({name, v.record.id});
        } catch (const Error& e) {
          report_error(e);
          rc = kExitFailure;
        }
      }
    }  // the store handle (its LMDB env) is closed before the namespace changes
    if (targets.empty()) return rc;

    enter_default_user_namespace();
    Store store = Store::open(globals.root());
    for (const Target& t : targets) {
      try {
        store.remove_container(t.id);
      } catch (const Error& e) {
        // Gone meanwhile (a --rm container's owner removes it once stopped): as asked.
        if (e.code() != Errc::kNotFound) {
          report_error(e);
          rc = kExitFailure;
          continue;
        }
      }
      std::printf("%s\n", t.name.c_str());
    }
    return rc;
  };
  return cmd;
}

}  // namespace dabba::cli
