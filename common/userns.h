// dabba's own user namespace. A rootless dabba enters it at start-up (like `podman unshare`), so it
// can unpack layers with their owners, delete them again, and set up containers; inside it the
// caller is uid 0 and the subuid range is 1..N.
//
// Every dabba process of one user shares the same namespace: the first one creates it and leaves
// a tiny pause process ("dabba-pause") holding it, as podman does; later ones join it with
// setns(), which needs no newuidmap and so saves most of the cost of entering. Sharing also lets
// one dabba signal and join the containers another one started. The pause process's pid is kept
// in $XDG_RUNTIME_DIR/dabba/pause.pid (else /tmp/dabba-<uid>/pause.pid) and is only trusted when
// the process is the caller's, started when the file says, and has exactly the expected id map.
// DABBA_PAUSE=0 makes each process create a private namespace instead.
#pragma once

#include <string>

#include "common/idmap.h"

namespace dabba {

// Moves the calling process into dabba's user namespace mapped with map (joining the shared one,
// or creating it). The caller must be single threaded (no libcurl, no worker threads yet). Does
// nothing for root in the initial namespace or when this process is already in a non-initial
// namespace. Throws Error with a hint when the host does not allow it.
void enter_user_namespace(const IdMap& map);

// enter_user_namespace(default_id_map(host_identity())), warning once when there is no subid
// range. Returns the map in force.
IdMap enter_default_user_namespace();

// The map of the namespace this process is in now (identity for the initial one).
IdMap current_id_map();

// Where the pause process's pid file lives for this user (created 0700 if missing); empty when no
// safe directory exists (then every process makes a private namespace).
std::string pause_runtime_dir();

}  // namespace dabba
