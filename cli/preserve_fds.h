// --preserve-fds N (run and exec): the caller's fds 3..3+N-1 reach the container's process at
// the same numbers (runner/workload_child.h), as podman passes them to its runtime. Checked
// before anything else opens an fd, so a missing one is podman's error and never some fd of
// dabba's own (the store's, a pipe) slipping into the container in its place.
#pragma once

namespace dabba::cli {

// Throws Error{kInvalidArgument} with podman's words (run's or exec's) when one of them is not
// open in this process.
void check_preserve_fds(int count, bool exec);

}  // namespace dabba::cli
