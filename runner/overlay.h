// The container's root: a kernel OverlayFS of the image's layers with `userxattr` (opaque dirs in
// the user.overlay.opaque xattr, which a user namespace may set; whiteouts are 0:0 character
// devices, as the store unpacks them), mounted from inside the user namespace that owns the
// container's mount namespace. Child side.
#pragma once

#include "runner/mount_plan.h"

namespace dabba::runner {

// Mounts plan.lower + an upper layer on plan.rootfs: plan.upper/work, or with plan.read_only a
// tmpfs mounted on plan.rootfs first (the overlay then covers it). Many layers fit: the new mount
// API takes one "lowerdir+" per layer (kernel 6.8+); the legacy mount(2) option string is one page,
// so there the layers are named by short relative paths.
void mount_root_overlay(const MountPlan& plan);

// --read-only, once every mount is in place: makes the root mount ("/") read-only.
void make_root_read_only(MountApi api);

// The legacy lowerdir option for layers that all fit in `budget` bytes, or "" if they do not:
// absolute paths, else names relative to the layers' common parent (*chdir_to set to it), else
// fd numbers relative to /proc/self/fd (*chdir_to = "/proc/self/fd", fds opened into *fds).
// Exposed for tests.
std::string legacy_lowerdir(const std::vector<std::string>& lower, size_t budget,
                            std::string* chdir_to, std::vector<int>* fds);

}  // namespace dabba::runner
