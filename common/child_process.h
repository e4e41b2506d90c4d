// One owner for every child process dabba forks, clones or spawns (the container's first process,
// exec's workload, slirp4netns, the port relay, newuidmap, the supervisor's and the pause
// process's short-lived middle processes, the host probes). Like crun's cleanup_pid or KJ's
// Subprocess: a ChildProcess still owned when it goes out of scope is killed (SIGKILL) and reaped,
// so no path, an exception's included, leaves a zombie or a stray helper behind.
//
// Waiting with a timeout polls a pidfd (opened on first need; clone3 hands one over at birth), so
// it costs no busy loop and no SIGCHLD handler. Signals go through the pidfd as well. A pid that
// is ours and not yet reaped cannot be recycled, so the pid alone is safe until wait() returns.
//
// The pidfd functions below serve processes that are not our children (`stop` signals the PID 1
// of a container another dabba supervises): a pidfd pins the process it was opened for.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>

#include "common/unique_fd.h"

namespace dabba {

struct ExitStatus {
  int raw = 0;  // as from waitpid
  bool exited() const;
  int code() const;              // exit code, or 128+signal like a shell
  int signal() const;            // 0 if it exited
  std::string describe() const;  // "exit status 3" / "killed by signal 9 (Killed)"
};

class ChildProcess {
 public:
  ChildProcess() = default;
  // Takes ownership of pid, a child of this process (fork, clone, posix_spawn, or a CLONE_PARENT
  // sibling's child). pidfd: the one clone3 returned, if any.
  explicit ChildProcess(pid_t pid, UniqueFd pidfd = UniqueFd());
  ChildProcess(ChildProcess&& other) noexcept;
  // The child this one owned is killed and reaped first.
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  // Still owned and not reaped: SIGKILL, then reap.
  ~ChildProcess();

  // The child's pid (kept after it was reaped, for messages); -1 for none.
  pid_t pid() const { return pid_; }
  // Owned and not yet reaped: signals reach it and the destructor will kill it.
  bool running() const { return pid_ > 0 && !status_; }
  // The status once reaped.
  const std::optional<ExitStatus>& status() const { return status_; }

  // Sends sig while running; a child that already exited (ESRCH) is fine.
  void signal(int sig) noexcept;
  // Blocks until the child exits, reaps it, returns its status (the same again on later calls).
  // Throws Error for no child.
  ExitStatus wait();
  // Waits at most timeout (0: just looks); nullopt while it still runs. Reaps once it exited.
  std::optional<ExitStatus> wait(std::chrono::milliseconds timeout);
  // Ends it: sends sig (0: none, it was asked to exit another way, e.g. a pipe's hang-up), waits
  // up to grace, then SIGKILL, and reaps. Returns the status (of the earlier reap, if any).
  ExitStatus stop(int sig, std::chrono::milliseconds grace) noexcept;
  // Gives the child up: neither killed nor reaped by this object (a daemon, or a child that someone
  // else reaps). Returns its pid.
  pid_t release();

 private:
  void kill_and_reap() noexcept;
  pid_t pid_ = -1;
  UniqueFd pidfd_;
  std::optional<ExitStatus> status_;
};

// ---- any process, through a pidfd

// pidfd_open(pid): invalid (errno set) when the process is gone (ESRCH) or the kernel has none.
UniqueFd open_pidfd(pid_t pid);
// pidfd_send_signal. false when the process has exited (ESRCH); throws Error otherwise (EPERM: the
// hint names the user namespace a rootless dabba must signal from).
bool signal_pidfd(int pidfd, int sig);
// True once the process has exited (not necessarily reaped), false after timeout. EINTR retried.
bool wait_pidfd(int pidfd, std::chrono::milliseconds timeout);

}  // namespace dabba
