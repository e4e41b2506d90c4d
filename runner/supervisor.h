// -d: the container is owned by a small supervisor process instead of the dabba that started it.
// start_detached() double-forks (the supervisor is re-parented away from the caller and has its own
// session, so neither the caller's exit nor its terminal's hangup touch it) and the supervisor
// exec's the dabba-supervise program (runner/tools/dabba_supervise.cc: runner and common only,
// linked statically), as podman's conmon is a program of its own: a fork of dabba would keep
// dabba's pages (its libraries' relocations, its heap) for the container's whole life, ~6 MB of
// RSS against ~1.5. The Spec goes over in a memfd (spec_codec.h). The program is found next to
// the running dabba, or in ../libexec/dabba/ from it (installed); without it, the forked process
// supervises itself (a debug line says so). The supervisor:
//  - points its own stdio at /dev/null and <logs>/supervisor.log and closes every other fd it
//    inherited (the caller's LMDB env, sockets, pipes a shell waits on);
//  - starts the container with its stdout/stderr (-t: the pty's output, one stream) copied into
//    its k8s-file log, and listens on <container_dir>/attach for `dabba attach` clients
//    (attach_server.h): they get the output too and, with -i, type into its stdin pipe or pty;
//  - tells the caller "started, pid N" or the start error (same text and exit code as run);
//  - records the state (StateOwner: running, pid, cgroups), forwards the signals it gets to the
//    container, waits, records the exit (code, oom), removes cgroups and helpers; starts it again
//    as its --restart policy says (restart_policy.h); then runs the exit command (conmon's
//    --exit-command: `dabba container cleanup --rm ID` for --rm), a program for the same reason.
// The container's PID 1 has the supervisor as parent, so its parent-death signal now follows the
// supervisor: SIGKILL it and the container dies too (state then says running with a dead pid,
// which alive() detects).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "runner/spec.h"
#include "runner/state.h"

namespace dabba::runner {

struct DetachedContainer {
  pid_t supervisor = 0;
  pid_t pid = 0;  // the container's PID 1
};

// What the supervisor runs once the container is over for good (not between --restart runs).
struct ExitCommand {
  std::vector<std::string> argv;   // empty: nothing
  bool removes_container = false;  // it removes the record: the end is not written to the state
};

// Returns once the workload has exec'd. Throws ExecError (126/127) or Error like start_container.
// The caller must be single-threaded. A start by the user (restarts == 0) takes away an earlier
// stop request (restart_policy.h); restarts > 0 is a foreground run handing its container's
// --restart policy over: the supervisor waits the policy's delay, then starts it as restart
// number `restarts` (pid 0 when a stop request came in the meantime).
DetachedContainer start_detached(const Spec& spec, const ExitCommand& exit_command = {},
                                 unsigned restarts = 0);

// The supervisor proper, in dabba-supervise (or the forked process): report_fd is the caller's
// end of the start's channel, which hears "started, pid N" or the start error.
[[noreturn]] void supervise(const Spec& spec, int report_fd, const ExitCommand& exit_command,
                            unsigned restarts) noexcept;
// The program's arguments after its name, in the order start_detached gives them:
//   --restarts N --log-level LEVEL --exit-removes 0|1 [-- EXIT-COMMAND...]
// with the channel as fd 3 and the Spec's memfd as fd 4.
inline constexpr int kSuperviseReportFd = 3;
inline constexpr int kSuperviseSpecFd = 4;

}  // namespace dabba::runner
