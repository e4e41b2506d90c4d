// Executes a CgroupPlan: creates the container's cgroups, writes the limits, moves the container's
// first process in before it execs, and removes the cgroups once the container is gone. With no
// limits asked, nothing here runs at all.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "runner/cgroup_plan.h"

namespace dabba::runner {

// The host's hierarchies and this process's membership, read from /proc/self/{mountinfo,cgroup};
// for v2, the controllers offered to the cgroup the container's would be made in.
struct CgroupHost {
  std::vector<CgroupHierarchy> hierarchies;
  std::vector<CgroupMembership> membership;
  static CgroupHost discover(const std::string& parent);
};

class ContainerCgroup {
 public:
  // Makes the cgroups of plan and writes their limits. Throws Error{kPermission} with a hint on how
  // to delegate a subtree when the caller may not create them; removes what it made on failure.
  static std::unique_ptr<ContainerCgroup> create(const CgroupPlan& plan);
  // plan_cgroups + create, reading the host; nullptr when limits asks for nothing.
  static std::unique_ptr<ContainerCgroup> create_for(const CgroupLimits& limits,
                                                     const std::string& name,
                                                     const std::string& parent);
  ~ContainerCgroup();
  ContainerCgroup(const ContainerCgroup&) = delete;
  ContainerCgroup& operator=(const ContainerCgroup&) = delete;

  // Writes pid into cgroup.procs of every cgroup (before the process execs or forks).
  void add_process(pid_t pid);
  // True when the kernel's OOM killer killed something in the memory cgroup.
  bool oom_killed() const;
  const std::vector<CgroupDir>& dirs() const { return dirs_; }
  // rmdir of every cgroup (retrying briefly while the kernel releases the last task). Called by the
  // destructor too; errors only logged.
  void remove() noexcept;

 private:
  ContainerCgroup() = default;
  std::vector<CgroupDir> dirs_;  // those created
};

// rmdir of each dir, last first (gone already is fine; busy ones are retried briefly, then logged).
// `rm` uses it for the cgroups a SIGKILLed supervisor could not remove (the state lists them).
void remove_cgroup_dirs(const std::vector<std::string>& dirs) noexcept;

// Writes pid into <dir>/cgroup.procs of each dir: `exec` puts its process into the container's
// cgroups (ContainerCgroup::dirs(), recorded in the container's state) this way.
void join_cgroups(const std::vector<std::string>& dirs, pid_t pid);

}  // namespace dabba::runner
