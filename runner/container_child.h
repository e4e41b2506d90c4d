// Child side of `run`, from clone to exec, as a checklist (nsjail's contain.cc): the container's
// stdio on 0-2 and every other fd close-on-exec; parent-death signal; wait for the id map if we
// are in a new user namespace; --sysctl values (through the host's /proc, still in view: the
// kernel takes our namespaces; the container's /proc/sys is read-only later); build the root
// (rootfs_child.h); hostname; loopback; then become the workload (workload_child.h).
#pragma once

#include <string>

#include "runner/mount_plan.h"
#include "runner/sync_channel.h"
#include "runner/sysctl.h"
#include "runner/workload_child.h"

namespace dabba::runner {

struct ContainerChildSetup {
  MountPlan mounts;
  WorkloadSetup workload;
  ChildStdio stdio;  // pipes from the parent (-1: /dev/null)
  std::string hostname;
  bool wait_for_id_map = false;       // cloned with CLONE_NEWUSER: the parent writes the map first
  bool own_network_namespace = true;  // bring lo up
  std::vector<Sysctl> sysctls;        // --sysctl, already checked (sysctl.h)
};

[[noreturn]] void container_child_main(SyncChannel& sync,
                                       const ContainerChildSetup& setup) noexcept;

}  // namespace dabba::runner
