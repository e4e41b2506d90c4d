#include "cli/container_removal.h"

#include <signal.h>

#include <chrono>
#include <mutex>

#include "cli/container_targets.h"
#include "cli/containers.h"
#include "common/userns.h"
#include "runner/cgroups.h"
#include "runner/stop.h"
#include "store/store.h"

namespace dabba::cli {

size_t remove_containers(const std::string& store_root, const std::vector<std::string>& names,
                         const ContainerRemoval& how) {
  size_t failed = 0;
  std::mutex mu;  // the stops run on threads: fail() and the callbacks one at a time
  auto fail = [&](const std::string& name, const Error& e) {
    std::lock_guard lock(mu);
    ++failed;
    if (how.on_error) how.on_error(name, e);
  };
  struct Target {
    std::string name;  // as typed
    ContainerView view;
    bool ok = true;
  };
  std::vector<Target> targets;
  {
    Store store = Store::open(store_root);
    for (const std::string& name : names) {
      try {
        ContainerView v = view_container(store, find_container(store, name));
        if (v.running && !how.force)
          throw Error(Errc::kConflict,
                      "cannot remove container " + v.record.id +
                          " as it is running - running or paused containers cannot be removed "
                          "without force: container state improper",
                      0, "stop it first (dabba stop " + name + "), or force it (-f)");
        targets.push_back({name, std::move(v)});
      } catch (const Error& e) {
        if (how.ignore_missing && e.code() == Errc::kNotFound) continue;
        fail(name, e);
      }
    }
  }  // the store handle (its LMDB env) is closed before the threads and the namespace change

  // The stops wait (for the grace period, for the owner to record the exit): all at once, so 50
  // containers take as long as the slowest, not the sum. Joined before the namespace changes.
  for_each_parallel(targets.size(), 32, [&](size_t i) {
    Target& t = targets[i];
    try {
      // Also when not running: a supervisor waiting to restart it (--restart) ends first.
      if (how.stop_seconds && *how.stop_seconds > 0)
        runner::stop_container(t.view.dir, t.view.info.stop_signal,
                               std::chrono::seconds(*how.stop_seconds));
      else
        runner::stop_container(t.view.dir, SIGKILL, std::chrono::seconds(0));
      // Its owner removes the cgroups after the exit; one SIGKILLed before it could has left
      // them (empty now: the container's processes died with its PID 1).
      const auto& state = t.view.state;
      if (state && !state->cgroups.empty()) runner::remove_cgroup_dirs(state->cgroups);
    } catch (const Error& e) {
      t.ok = false;
      fail(t.name, e);
    }
  });
  std::erase_if(targets, [](const Target& t) { return !t.ok; });
  if (targets.empty()) return failed;

  enter_default_user_namespace();
  Store store = Store::open(store_root);
  for (const Target& t : targets) {
    try {
      store.remove_container(t.view.record.id, how.anonymous_volumes);
    } catch (const Error& e) {
      // Gone meanwhile (a --rm container's owner removes it once stopped): as asked.
      if (e.code() != Errc::kNotFound) {
        fail(t.name, e);
        continue;
      }
    }
    if (how.on_removed) how.on_removed(t.name);
  }
  return failed;
}

}  // namespace dabba::cli
