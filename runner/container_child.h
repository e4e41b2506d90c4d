// Child side of `run`, from clone to exec, as a checklist (nsjail's contain.cc): the container's
// stdio on 0-2 and every other fd close-on-exec; parent-death signal; wait for the id map if we
// are in a new user namespace; --sysctl values (through the host's /proc, still in view: the
// kernel takes our namespaces; the container's /proc/sys is read-only later); build the root
// (rootfs_child.h); hostname; loopback; [passwd/group entries; the working directory; unshare
// the nested user namespace, kUnshared, wait kProceed]; then become the workload
// (workload_child.h).
#pragma once

#include <string>
#include <vector>

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
  // --userns/--uidmap (rootless, or root with a map of its own): once the root is built, the
  // hostname set and lo up, unshare a user namespace nested in ours, send kUnshared and wait for
  // the parent to map it (kProceed). Every other namespace stays owned by ours, so the setup
  // above runs with all of our access (the nested map may leave our own files unmapped).
  bool unshare_userns = false;
  // Spec::passwd_entries/group_entries, appended to the container's files when missing.
  std::vector<std::string> passwd_entries, group_entries;
  bool own_network_namespace = true;  // bring lo up
  // --network container:NAME: that container's network namespace (the parent opened it),
  // joined first; -1 for none.
  int join_netns_fd = -1;
  int join_ipcns_fd = -1;  // --ipc container:NAME's namespace, joined before the mounts
  std::vector<Sysctl> sysctls;        // --sysctl, already checked (sysctl.h)
};

[[noreturn]] void container_child_main(SyncChannel& sync,
                                       const ContainerChildSetup& setup) noexcept;

}  // namespace dabba::runner
