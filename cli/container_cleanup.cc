// dabba container cleanup [--rm] [--rmi] CONTAINER...
//
// podman-container-cleanup(1): what happens after a container's end, run by its owner as podman's
// conmon runs it (its --exit-command). A -d container's supervisor (runner/supervisor.h, its own
// small program that links no store) runs `dabba --root ROOT container cleanup --rm [--rmi] ID`
// for run --rm; a user may run it too. The sandbox's own leftovers (mounts, cgroups, network
// helpers) are already gone with the supervisor's container process, so without --rm there is
// nothing left to do; --rm removes the record, the directory and the anonymous volumes, --rmi
// then the image the container was created from, unless another container uses it. Prints each
// container's full id, as podman does. A running container is refused (podman's "is running").
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/container_start.h"
#include "cli/containers.h"
#include "cli/new_container.h"
#include "common/error.h"
#include "store/store.h"
#include "store/store_options.h"

namespace dabba::cli {

Command add_container_cleanup(CLI::App& parent) {
  struct Args {
    bool rm = false;
    bool rmi = false;
    std::vector<std::string> containers;
  };
  auto args = std::make_shared<Args>();
  Command cmd = podman_verb(parent, "cleanup", "Clean up network and mountpoints of one or more "
                                               "containers", Needs::kUserNamespace);
  cmd.app->add_flag("--rm", args->rm, "after cleanup, remove the container entirely");
  cmd.app->add_flag("--rmi", args->rmi, "after cleanup, remove the image entirely");
  cmd.app->add_option("container", args->containers, "containers (names or ids)")->required();
  cmd.run = [args](const Globals& globals) {
    Store store = Store::open(globals.root(), container_store_options(args->rm));
    int code = kExitOk;
    for (const std::string& typed : args->containers) {
      try {
        const ContainerView view = view_container(store, find_container(store, typed));
        if (view.running)
          throw Error(Errc::kConflict, "cannot clean up container " + view.record.id +
                                           ": container is running",
                      0, "stop it first: dabba stop " + typed);
        if (args->rm) remove_container_record(store, view.record.id);
        if (args->rmi) remove_run_image(store, view.info.image);
        std::printf("%s\n", view.record.id.c_str());
      } catch (const Error& e) {
        report_error(e);
        code = kExitDabbaFailed;
      }
    }
    return code;
  };
  return cmd;
}

}  // namespace dabba::cli
