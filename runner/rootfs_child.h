// Child side of the mount plan: builds the container's root and pivots into it. Runs in the
// container's fresh mount namespace, owned by the user namespace dabba (or the container) is root
// in. Throws Error; the child's top level turns that into a message for the parent.
#pragma once

#include "runner/mount_plan.h"

namespace dabba::runner {

// On return, "/" is the container's root, the host's tree is gone from this mount namespace and
// the cwd is "/".
void setup_rootfs_child(const MountPlan& plan);

}  // namespace dabba::runner
