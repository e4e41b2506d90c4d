// Child side, last stretch, shared by `run` and `exec`: inside the container's root, become the
// workload. Resolves the user in the container's /etc/passwd and /etc/group, completes the
// environment, allocates the pty, reports ready (with the pty master) and waits for the parent's
// go, starts the --init reaper if asked, then: new session (and controlling tty with -t), the
// bounding set, the user's ids, root's capabilities, the seccomp filter (last), no_new_privs, cwd, every other fd closed, PATH lookup in the container's
// environment, exec. A failure is reported over the sync channel with the exit code dabba will
// use (125 dabba, 126 not executable, 127 not found) and the process _exits with it.
#pragma once

#include <string>
#include <vector>

#include "runner/capabilities.h"
#include "runner/sync_channel.h"

namespace dabba::runner {

struct WorkloadSetup {
  std::vector<std::string> argv;
  std::vector<std::string> env;  // HOME is added from the user's passwd entry when missing
  std::string cwd = "/";
  bool create_cwd = true;  // run: create a missing -w; exec: a missing -w is an error
  std::string user;        // unresolved: "name|uid[:group|gid]"
  bool tty = false;
  bool stdin_open = false;
  bool init = false;  // fork: this process stays as PID 1 reaper (init_reaper.h)
  CapabilitySet capabilities = kDefaultCapabilities;  // capabilities.h
  bool seccomp = true;                                 // seccomp.h
  // Wait for the parent's go (SyncKind::kExec) after reporting ready: when it must do something
  // first (move us into cgroups, start a network helper). Otherwise the workload execs at once and
  // the start saves a round trip.
  bool wait_for_go = true;
  // -t: the user's terminal (inherited fd), whose window size the pty gets before exec; -1: none.
  int terminal_fd = -1;
  // Without a tty: what becomes 0, 1, 2 (-1: keep what we have; stdin without stdin_open is
  // /dev/null in any case).
  int stdin_fd = -1;
  int stdout_fd = -1;
  int stderr_fd = -1;
};

[[noreturn]] void run_workload_child(SyncChannel& sync, const WorkloadSetup& setup) noexcept;

// Sends an Error (or any exception) to the parent as a 125 failure and _exits. For the child's
// top-level catch blocks.
[[noreturn]] void report_child_failure(SyncChannel& sync, const std::exception& e) noexcept;
[[noreturn]] void report_child_failure(SyncChannel& sync, const std::string& text,
                                       int err) noexcept;

}  // namespace dabba::runner
