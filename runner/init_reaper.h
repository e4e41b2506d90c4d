// --init: dabba's own tiny PID 1 (what tini or docker-init are for Docker). A workload that is not
// written to be PID 1 neither reaps orphans nor gets signals it has no handler for (the kernel
// drops those for a namespace's init), so the reaper sits in between: it forwards the signals
// dabba forwards to the workload, reaps every child, and exits with the workload's status.
#pragma once

#include <sys/types.h>

namespace dabba::runner {

// Runs in the container's PID 1 after it forked the workload. Never returns.
[[noreturn]] void run_init_reaper(pid_t workload) noexcept;

}  // namespace dabba::runner
