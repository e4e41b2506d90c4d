// Named fault points for the crash tests: with DABBA_FAULT_POINT=NAME[,NAME...] in the
// environment, the process that reaches fault_point(NAME) kills itself with SIGKILL, as a crash
// or an OOM kill would (a container's PID 1, which cannot, exits 137). Before that it says so on
// stderr ("dabba: fault point NAME: SIGKILL") and, when DABBA_FAULT_MARK names a file, appends NAME
// to it (a detached supervisor's stderr is elsewhere). Compiled in always; unset, a call costs one
// check of a cached flag.
//
// The points (tests/integration/crash_points.sh drives each one):
//   store:   unpacked synced blob-renamed layer-renamed committed (a layer's ingest),
//            blob-stored, image-committed, name-removed, container-dir-made,
//            container-committed, container-record-removed, volume-dir-made,
//            volume-record-removed, gc-committed, gc-files-deleted
//   verbs:   pull-config-stored, load-blobs-stored, commit-layer-stored, push-blobs-uploaded,
//            run-before-overlay, run-overlay-mounted, run-state-recorded, supervise-started,
//            supervise-exit-recorded, exec-started, stop-signalled, reset-containers-removed,
//            reset-db-removed
#pragma once

#include <string_view>

namespace dabba {

void fault_point(std::string_view name);

}  // namespace dabba
