// --volumes-from CONTAINER[:OPTIONS] of run and create (podman's getVolumesFrom): the new container
// gets the bind mounts and volumes (named or anonymous) the user gave CONTAINER, in its mode or in
// the one OPTIONS names (ro, rw; z is accepted and ignored: no SELinux labels). A later
// --volumes-from's mount at the same place replaces an earlier one's, and the new container's own
// -v/--mount/--tmpfs at that place replace both. CONTAINER's tmpfs mounts are not copied.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "runner/spec.h"

namespace dabba {
class Store;
}

namespace dabba::cli {

struct VolumesFrom {
  std::string container;           // a name, an id or an id's prefix
  std::optional<bool> read_only;   // ro/rw given; nullopt: the source's own mode
};

// Throws Error{kInvalidArgument} with podman's phrases for a bad OPTIONS.
VolumesFrom parse_volumes_from(const std::string& text);

// Appends the mounts to copy to mounts (which holds the new container's own ones). Throws
// Error{kNotFound} for a missing container.
void add_volumes_from(const Store& store, const std::vector<VolumesFrom>& from,
                      std::vector<runner::MountSpec>& mounts);

}  // namespace dabba::cli
