#include "cli/container_removal.h"

#include <signal.h>

#include <chrono>

#include "cli/containers.h"
#include "common/userns.h"
#include "runner/cgroups.h"
#include "runner/stop.h"
#include "store/store.h"

namespace dabba::cli {

size_t remove_containers(const std::string& store_root, const std::vector<std::string>& names,
                         const ContainerRemoval& how) {
  size_t failed = 0;
  auto fail = [&](const std::string& name, const Error& e) {
    ++failed;
    if (how.on_error) how.on_error(name, e);
  };
  struct Target {
    std::string name;  // as typed
    std::string id;
  };
  std::vector<Target> targets;
  {
    Store store = Store::open(store_root);
    for (const std::string& name : names) {
      try {
        ContainerView v = view_container(store, find_container(store, name));
        if (v.running) {
          if (!how.force)
            throw Error(Errc::kConflict, "container " + name + " is running", 0,
                        "stop it first (dabba stop " + name + "), or force it (-f)");
          runner::stop_container(v.dir, SIGKILL, std::chrono::seconds(0));
        }
        // Its owner removes the cgroups after the exit; one SIGKILLed before it could has left
        // them (empty now: the container's processes died with its PID 1).
        if (v.state && !v.state->cgroups.empty()) runner::remove_cgroup_dirs(v.state->cgroups);
        targets.push_back({name, v.record.id});
      } catch (const Error& e) {
        fail(name, e);
      }
    }
  }  // the store handle (its LMDB env) is closed before the namespace changes
  if (targets.empty()) return failed;

  enter_default_user_namespace();
  Store store = Store::open(store_root);
  for (const Target& t : targets) {
    try {
      store.remove_container(t.id);
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
