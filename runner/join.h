// `exec`: a new process inside a running container. An intermediate process makes itself not
// dumpable and takes the container's stdio (pipes dabba copies, or /dev/null until the pty exists)
// with every other fd close-on-exec, before anything of the container can see it; it joins the
// container's cgroups and the namespaces of its PID 1 (user if it is not ours, then mnt, uts, ipc,
// net, and pid for its children), and clones the process that becomes a workload exactly as
// `run`'s does (workload_child.h): user from the container's /etc/passwd, env, pty from the
// container's devpts, capabilities, no_new_privs, seccomp, the exec shim, exec.
//
// Run it from the initial user namespace: a rootless container lives in the user namespace of the
// dabba that started it, and only its owner outside (or root) may setns() into it; a second
// dabba's own namespace is a sibling with no rights there.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "runner/container.h"

namespace dabba::runner {

struct JoinSpec {
  pid_t pid = 0;                     // the container's PID 1 (ContainerState::pid)
  uint64_t pid_start_time = 0;       // checked against the live process when non-zero
  std::vector<std::string> cgroups;  // ContainerState::cgroups
  std::vector<std::string> argv;
  std::vector<std::string> env;  // the container's env + exec's -e; HOME added when missing
  std::string cwd = "/";         // must exist
  std::string user;              // "" = root
  std::vector<std::string> group_add;  // the container's --group-add (Spec::group_add)
  bool tty = false;
  bool stdin_open = false;
  int preserve_fds = 0;  // exec --preserve-fds N: our fds 3..3+N-1 reach the process
  CapabilitySet capabilities = kDefaultCapabilities;  // the container's (Spec::capabilities)
  bool seccomp = true;                                 // the container's (Spec::seccomp)
  std::string seccomp_profile;                         // the container's (Spec::seccomp_profile)
};

// Starts the process (returns once it has exec'd); wait with attach() as for run. The returned
// handle owns no cgroup or network: those stay the container's. Throws ExecError/Error.
ContainerProcess join_container(const JoinSpec& spec, const StartOptions& options = {});

// The exec verb in the foreground: relay, join, attach, wait. Returns the exit code.
int exec_foreground(const JoinSpec& spec);

// exec -d: a keeper process of its own session (stdio /dev/null) joins, reports the start, then
// reaps the process and ends; its output is dropped. Returns once the process has exec'd; throws
// ExecError/Error when it could not start, as join_container does.
void exec_detached(const JoinSpec& spec);

}  // namespace dabba::runner
