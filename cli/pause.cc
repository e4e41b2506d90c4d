// dabba pause|unpause [-a] [-l] [--cidfile FILE] CONTAINER...
//
// podman-pause(1), podman-unpause(1): freezes (thaws) every process of a running container
// through its cgroup's freezer (runner/freezer.h); prints each name as typed. A container without
// a freezer cgroup (dabba makes a cgroup only for limits) gets podman's error: "can not pause
// containers on rootless containers with cgroup V1" where that is the reason, as podman words it.
// Runs in the initial user namespace: the cgroup files are the caller's.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/container_targets.h"
#include "cli/containers.h"
#include "common/error.h"
#include "common/idmap.h"
#include "runner/freezer.h"
#include "store/store.h"

namespace dabba::cli {
namespace {

void freeze_container(const ContainerView& v, bool pause) {
  const char* verb = pause ? "pause" : "unpause";
  if (!v.running)
    throw Error(Errc::kConflict, "\"" + v.record.id + "\" is not running, can't " + verb +
                                     ": container state improper");
  std::optional<std::string> dir = runner::freezer_dir(v.state->cgroups);
  if (!dir) {
    const std::string hint =
        "dabba gives a container a cgroup only for limits (--memory, --pids-limit, --cpus), "
        "and a freezer only on a cgroup v2 host";
    if (!host_identity().is_root() && !runner::unified_cgroups())
      throw Error(Errc::kUnsupported,
                  std::string("can not ") + verb +
                      " containers on rootless containers with cgroup V1: this container does "
                      "not have a cgroup",
                  0, hint);
    throw Error(Errc::kUnsupported,
                std::string("can not ") + verb + " container " + v.record.id +
                    ": this container does not have a freezer cgroup",
                0, hint);
  }
  if (v.paused == pause)
    throw Error(Errc::kConflict, "\"" + v.record.id + "\" is " +
                                     (pause ? "already paused" : "not paused") + ", can't " + verb +
                                     ": container state improper");
  runner::set_frozen(*dir, pause);
}

Command add_freeze_verb(CLI::App& parent, bool pause) {
  auto targets = std::make_shared<TargetFlags>();
  Command cmd = podman_verb(parent, pause ? "pause" : "unpause",
                            pause ? "Pause all the processes in one or more containers"
                                  : "Unpause the processes in one or more containers",
                            Needs::kNothing);
  add_target_flags(*cmd.app, *targets, false);
  cmd.run = [targets, pause](const Globals& globals) {
    Store store = Store::open(globals.root());
    std::vector<ContainerView> views;
    std::vector<std::string> names = resolve_targets(store, *targets);
    for (const std::string& n : names)
      views.push_back(view_container(store, find_container(store, n)));
    int rc = kExitOk;
    for (size_t i = 0; i < views.size(); ++i) {
      // --all: only those it applies to, as podman's pause --all (running) / unpause --all.
      if (targets->all && (!views[i].running || views[i].paused == pause)) continue;
      if (!act_and_print(names[i], [&] { freeze_container(views[i], pause); }))
        rc = kExitDabbaFailed;
    }
    return rc;
  };
  return cmd;
}

}  // namespace

Command add_pause(CLI::App& parent) { return add_freeze_verb(parent, true); }
Command add_unpause(CLI::App& parent) { return add_freeze_verb(parent, false); }

}  // namespace dabba::cli
