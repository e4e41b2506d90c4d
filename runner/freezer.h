// Pausing a container: the freezer of its cgroup (v1: freezer.state FROZEN/THAWED in a freezer
// hierarchy; v2: cgroup.freeze 1/0, done when cgroup.events says frozen). A container has a
// freezer only when it has a cgroup in such a hierarchy (today: v2 with limits, cgroups.h); the
// verbs say so otherwise, as podman does for rootless containers without a cgroup.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace dabba::runner {

// The first of the container's cgroup dirs (its state's) that has a freezer; nullopt for none.
std::optional<std::string> freezer_dir(const std::vector<std::string>& cgroup_dirs);
// Freezes (or thaws) every process of the cgroup and waits, at most 5 s, until the kernel says so.
// Throws Error naming the file.
void set_frozen(const std::string& dir, bool frozen);
// True when the cgroup is frozen (or freezing); false when unreadable.
bool is_frozen(const std::string& dir) noexcept;
// True when /sys/fs/cgroup is the unified (v2) hierarchy.
bool unified_cgroups() noexcept;

}  // namespace dabba::runner
