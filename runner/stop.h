// `stop` and `rm -f` of a detached container: the StopSignal to its PID 1, SIGKILL after the
// grace period (a PID 1 ignores signals it has no handler for, so the kill is often what ends
// it), then wait until the supervisor has recorded the exit and cleaned up (cgroups, helpers), so
// the caller may remove the container right after.
//
// Run it from the initial user namespace when dabba is rootless: a process of the container that
// runs as a subuid can only be signalled by the owner of its user namespace from outside it.
#pragma once

#include <chrono>
#include <string>

#include "runner/state.h"

namespace dabba::runner {

enum class StopResult {
  kNotRunning,  // nothing to do
  kExited,      // ended within the grace period
  kKilled,      // SIGKILL after the grace period
};

// container_dir: where the state is (re-read at the end). signal: the image's StopSignal or
// SIGTERM. A zero timeout sends SIGKILL at once.
StopResult stop_container(const std::string& container_dir, int signal,
                          std::chrono::milliseconds timeout);

// True while a stop_container() of this container waits for it to end (podman's "stopping"
// state): its marker, <container_dir>/stopping, names a live process (pid and start time), so a
// stop that was killed leaves no false "stopping" behind.
bool stopping(const std::string& container_dir);

}  // namespace dabba::runner
