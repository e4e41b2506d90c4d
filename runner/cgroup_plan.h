// Where a container's cgroups go and what is written in them, as plain data computed from
// /proc/self/mountinfo, /proc/self/cgroup and the limits asked for. Both cgroup versions:
//  - v1: one hierarchy per controller (memory, pids, cpu[,cpuacct]); the container gets a child
//    cgroup of the caller's own cgroup (or of the given parent) in each hierarchy a limit needs;
//  - v2: one child cgroup in the unified hierarchy, after enabling the controllers in the parent's
//    cgroup.subtree_control.
// A controller found in a v1 hierarchy is used there (hybrid hosts bind the common ones to v1).
// cgroups.h executes the plan.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runner/spec.h"

namespace dabba::runner {

struct CgroupHierarchy {
  bool v2 = false;
  std::string mount_point;               // "/sys/fs/cgroup/memory"
  std::string root = "/";                // the mountinfo root: which cgroup the mount shows
  std::vector<std::string> controllers;  // v1: from the mount options; v2: cgroup.controllers
};

// The cgroup and v1 hierarchy mounts of a mountinfo text (v2 controllers left empty).
std::vector<CgroupHierarchy> parse_cgroup_mounts(std::string_view mountinfo);

struct CgroupMembership {
  int hierarchy_id = 0;
  std::vector<std::string> controllers;  // v1: "memory" / "cpu","cpuacct" / "name=systemd"; v2: {}
  std::string path;                      // "/process_api/9bb2..."
};

// /proc/<pid>/cgroup lines "ID:CONTROLLERS:PATH".
std::vector<CgroupMembership> parse_proc_cgroup(std::string_view text);

struct CgroupDir {
  bool v2 = false;
  std::string path;  // the container's cgroup, to create
  // v2: the parent's cgroup.subtree_control needs these ("+memory"); written only if missing.
  std::vector<std::string> enable;
  // Files written in order after mkdir: {"memory.limit_in_bytes", "536870912"}.
  std::vector<std::pair<std::string, std::string>> limits;
  // Files in `limits` that may be absent (swap accounting off): skipped, not an error.
  std::vector<std::string> optional;
  bool operator==(const CgroupDir&) const = default;
};

struct CgroupPlan {
  std::vector<CgroupDir> dirs;  // empty when no limit is asked: no cgroup work at all
  bool any_v1() const;
};

// For `name` (the container's cgroup name) under `parent` ("" = the caller's own cgroup in each
// hierarchy, "/x" = from the hierarchy's root). Throws Error{kUnsupported} naming a controller no
// hierarchy offers.
CgroupPlan plan_cgroups(const CgroupLimits& limits, const std::string& name,
                        const std::string& parent, const std::vector<CgroupHierarchy>& hierarchies,
                        const std::vector<CgroupMembership>& membership);

}  // namespace dabba::runner
