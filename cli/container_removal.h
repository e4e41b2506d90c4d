// Removing containers, as `rm` and `rmi -f` do: a running one is refused unless force, which
// kills it first (SIGKILL, as podman's rm -f); then its record (unpinning its image and layers)
// and its directory go.
//
// Two phases, in two user namespaces: the stops run from the initial one (the container's
// supervisor and cgroups are the caller's), the deletion inside dabba's (the upper dir holds files
// of subordinate ids, and overlay's work/work has mode 000). The caller must be single threaded
// and must not hold a Store open across the call (the namespace changes in between).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"

namespace dabba::cli {

struct ContainerRemoval {
  bool force = false;
  // With force: the stop signal first and SIGKILL after this long (rm -t); unset: SIGKILL at once.
  std::optional<int> stop_seconds;
  // A container that does not exist is skipped without a word (rm -i).
  bool ignore_missing = false;
  bool anonymous_volumes = false;  // rm -v: their anonymous volumes no other container uses
  // Called with what the user typed once that container is gone (rm prints it).
  std::function<void(const std::string& name)> on_removed;
  // Called for each container that could not be removed (the others are still removed).
  std::function<void(const std::string& name, const Error& e)> on_error;
};

// Removes the containers named (ids, prefixes or names); the running ones (force) are stopped in
// parallel. Returns how many failed.
size_t remove_containers(const std::string& store_root, const std::vector<std::string>& names,
                         const ContainerRemoval& how);

}  // namespace dabba::cli
