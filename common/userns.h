// dabba's own user namespace. A rootless dabba enters it at start-up (like `podman unshare`), so it
// can unpack layers with their owners, delete them again, and set up containers; inside it the
// caller is uid 0 and the subuid range is 1..N.
#pragma once

#include "common/idmap.h"

namespace dabba {

// Moves the calling process into a new user namespace mapped with map. The caller must be single
// threaded (no libcurl, no worker threads yet). Does nothing for root in the initial namespace or
// when this process is already in a non-initial namespace. Throws Error with a hint when the host
// does not allow it.
void enter_user_namespace(const IdMap& map);

// enter_user_namespace(default_id_map(host_identity())), warning once when there is no subid
// range. Returns the map in force.
IdMap enter_default_user_namespace();

// The map of the namespace this process is in now (identity for the initial one).
IdMap current_id_map();

}  // namespace dabba
