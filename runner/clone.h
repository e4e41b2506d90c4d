// clone3 as a fork with namespace flags: returns 0 in the child, which goes on with a copy of the
// caller's memory. Call it from a single-threaded point (the child gets only the calling thread,
// and a lock another thread held stays held). The parent also gets a pidfd (signals and waits
// that cannot hit a recycled pid).
#pragma once

#include <sys/types.h>

#include <cstdint>

#include "common/unique_fd.h"

namespace dabba::runner {

struct CloneResult {
  pid_t pid = -1;  // 0 in the child
  UniqueFd pidfd;  // parent only; invalid if the kernel has no clone3 (then clone was used)
};

// flags: CLONE_NEW* and CLONE_PARENT; the exit signal is SIGCHLD. Throws Error in the parent.
CloneResult clone_process(uint64_t flags);

}  // namespace dabba::runner
