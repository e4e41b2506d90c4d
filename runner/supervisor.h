// -d: the container is owned by a small supervisor process instead of the dabba that started it.
// start_detached() double-forks (the supervisor is re-parented away from the caller and has its own
// session, so neither the caller's exit nor its terminal's hangup touch it), and the supervisor:
//  - points its own stdio at /dev/null and <logs>/supervisor.log and closes every other fd it
//    inherited (the caller's LMDB env, sockets, pipes a shell waits on);
//  - starts the container with its stdout/stderr (-t: the pty's output, one stream) copied into
//    its k8s-file log, and listens on <container_dir>/attach for `dabba attach` clients
//    (attach_server.h): they get the output too and, with -i, type into its stdin pipe or pty;
//  - tells the caller "started, pid N" or the start error (same text and exit code as run);
//  - records the state (StateOwner: running, pid, cgroups), forwards the signals it gets to the
//    container, waits, records the exit (code, oom), removes cgroups and helpers; starts it again
//    as its --restart policy says (restart_policy.h); then runs on_exit (--rm); on_exit must not
//    use anything the caller had open (LMDB environments included).
// The container's PID 1 has the supervisor as parent, so its parent-death signal now follows the
// supervisor: SIGKILL it and the container dies too (state then says running with a dead pid,
// which alive() detects).
#pragma once

#include <sys/types.h>

#include "runner/spec.h"
#include "runner/state.h"

namespace dabba::runner {

struct DetachedContainer {
  pid_t supervisor = 0;
  pid_t pid = 0;  // the container's PID 1
};

// Returns once the workload has exec'd. Throws ExecError (126/127) or Error like start_container.
// The caller must be single-threaded. A start by the user (restarts == 0) takes away an earlier
// stop request (restart_policy.h); restarts > 0 is a foreground run handing its container's
// --restart policy over: the supervisor waits the policy's delay, then starts it as restart
// number `restarts` (pid 0 when a stop request came in the meantime).
DetachedContainer start_detached(const Spec& spec, OnExit on_exit = {}, unsigned restarts = 0);

}  // namespace dabba::runner
