// Child side, last stretch, shared by `run` and `exec`: inside the container's root, become the
// workload. Resolves the user in the container's /etc/passwd and /etc/group, completes the
// environment, allocates the pty, reports ready (with the pty master) and waits for the parent's
// go, then (docs/security.md):
//   not dumpable (from here on processes of the container may exist: nothing of them may ptrace
//   us or open our /proc files, whose exe is dabba's host binary);
//   new session (and the pty as controlling tty with -t; with --init the shim does both for the
//   workload); the bounding set, the user's ids, root's capabilities, cwd, no_new_privs, umask;
//   PATH lookup in the container's environment; signals reset (with --init the forwarded ones stay
//   blocked for the reaper); every fd closed but 0-2, the sync end (fd 3, inherited by the shim to
//   report its exec failure) and the shim (fd 4, close-on-exec); the rlimits (--ulimit: after
//   the fd shuffle, so a tiny nofile cannot break it); DAC_OVERRIDE and DAC_READ_SEARCH
//   out of the effective set, so the unreadable shim starts non-dumpable (the kernel gives root
//   its capabilities back at that exec); the seccomp filter, last;
//   execveat of the exec shim (exec_shim.h), which execs the workload (or stays as --init's
//   reaper and forks it).
// A failure is reported over the sync channel with the exit code dabba will use (125 dabba, 126
// not executable, 127 not found) and the process _exits with it; the shim reports an exec failure
// as SyncKind::kExecFailed.
#pragma once

#include <sys/ioctl.h>

#include <optional>
#include <string>
#include <vector>

#include "runner/capabilities.h"
#include "runner/io_relay.h"
#include "runner/rlimits.h"
#include "runner/seccomp.h"
#include "runner/sync_channel.h"

namespace dabba::runner {

struct WorkloadSetup {
  std::vector<std::string> argv;
  std::vector<std::string> env;  // HOME is added from the user's passwd entry when missing
  std::string cwd = "/";
  bool create_cwd = true;  // run: create a missing WorkingDir; exec: a missing -w is an error
  // run -w: a missing directory is podman's `workdir "DIR" does not exist on container`, exit 126.
  bool missing_cwd_is_126 = false;
  std::string user;        // unresolved: "name|uid[:group|gid]"
  // --group-add (Spec::group_add): more supplementary groups, resolved in the container's
  // /etc/group; {"keep-groups"}: no setgroups at all, the caller's groups stay.
  std::vector<std::string> group_add;
  std::vector<UlimitSpec> rlimits;  // set last before the seccomp filter (rlimits.h)
  std::optional<int> oom_score_adj;  // written to /proc/self/oom_score_adj first
  bool tty = false;
  bool null_stdin = false;  // stdin is /dev/null: opened again inside the container (its own)
  bool init = false;  // the shim stays as PID 1 reaper and forks the workload
  CapabilitySet capabilities = kDefaultCapabilities;  // capabilities.h
  SeccompFilter seccomp;                               // seccomp.h; empty: none
  // Wait for the parent's go (SyncKind::kExec) after reporting ready: when it must do something
  // first (move us into cgroups, start a network helper). Otherwise the workload execs at once and
  // the start saves a round trip.
  bool wait_for_go = true;
  // -t: the caller's window size, for the pty before the workload starts (the caller's terminal
  // itself never reaches the container).
  std::optional<winsize> window;
  int shim_fd = -1;  // exec_shim_fd(); -1: exec the workload directly
  // --preserve-fds N: the caller's fds 3..3+N-1 reach the workload at the same numbers (the
  // caller checked that they are open: they were when the child was cloned).
  int preserve_fds = 0;
  // -v ...:U targets: chowned (recursively, links not followed) to the resolved user, unless the
  // top already is theirs.
  std::vector<std::string> chown_paths;
};

// The first step of every process dabba starts towards a container: 0, 1, 2 become the container's
// stdio (pipes from the parent, /dev/null for -1) and every other fd close-on-exec, so nothing of
// the caller's (its terminal, fds it passed us) survives into anything the container can reach;
// but --preserve-fds's, which run_workload_child opens again for the exec.
// Returns false (errno set) on failure.
bool adopt_stdio_child(const ChildStdio& stdio) noexcept;

// An image's /etc/passwd could be a FIFO, a device or huge: reads only a regular file, a bounded
// amount, without blocking ("" when missing or not regular). Called after the pivot, so the path
// resolves inside the container's root and a symlink cannot lead out of it.
std::string read_container_file(const char* path);

[[noreturn]] void run_workload_child(SyncChannel& sync, const WorkloadSetup& setup) noexcept;

// Sends an Error (or any exception) to the parent as a 125 failure and _exits. For the child's
// top-level catch blocks.
[[noreturn]] void report_child_failure(SyncChannel& sync, const std::exception& e) noexcept;
[[noreturn]] void report_child_failure(SyncChannel& sync, const std::string& text,
                                       int err) noexcept;

// The message for an exec that failed with `err` (SyncKind::kExecFailed), as Docker words it.
std::string exec_failure_text(const std::string& argv0, int err, bool searched);

}  // namespace dabba::runner
