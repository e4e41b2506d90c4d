#include "runner/stop.h"

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

#include "common/fault_point.h"
#include "common/child_process.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/proc_stat.h"
#include "common/unique_fd.h"
#include "runner/restart_policy.h"

namespace dabba::runner {
namespace {

void send(int pidfd, int sig) {
  try {
    signal_pidfd(pidfd, sig);
  } catch (Error& e) {
    if (e.sys_errno() == EPERM)
      e.set_hint("a rootless dabba must stop containers from outside its own user namespace");
    e.add_context("signal the container");
    throw;
  }
}

// The supervisor records the exit, removes cgroups and helpers, then exits: wait for that (a
// SIGKILLed supervisor is gone already, and nobody will record it). Through a pidfd, which reports
// the exit itself: the supervisor's parent is init (or a subreaper), which may reap it late, and
// until then kill(pid, 0) finds the zombie (1.5 s a container under the init of a Firecracker VM,
// docs/benchmarks.md "Many containers").
void wait_for_supervisor(pid_t supervisor) {
  if (supervisor <= 0) return;
  const auto timeout = std::chrono::seconds(10);
  UniqueFd pidfd = open_pidfd(supervisor);
  if (pidfd.valid()) {
    wait_pidfd(pidfd.get(), timeout);
    return;
  }
  if (errno == ESRCH) return;
  // A kernel without pidfd_open (before 5.3): poll.
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (::kill(supervisor, 0) != 0 && errno == ESRCH) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace

namespace {

std::string stopping_path(const std::string& container_dir) { return container_dir + "/stopping"; }

// The stopping marker for the life of a stop: this process's pid and start time.
class StoppingMarker {
 public:
  explicit StoppingMarker(const std::string& container_dir) : path_(stopping_path(container_dir)) {
    try {
      write_file_atomic(path_,
                        std::to_string(::getpid()) + " " +
                            std::to_string(process_start_time(::getpid())) + "\n",
                        Sync::kNone, 0644);
    } catch (const Error&) {
      path_.clear();  // only `inspect` misses it
    }
  }
  ~StoppingMarker() {
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  StoppingMarker(const StoppingMarker&) = delete;
  StoppingMarker& operator=(const StoppingMarker&) = delete;

 private:
  std::string path_;
};

}  // namespace

bool stopping(const std::string& container_dir) {
  std::string text;
  try {
    if (!read_file_if_exists(stopping_path(container_dir), text)) return false;
  } catch (const Error&) {
    return false;
  }
  long pid = 0;
  unsigned long long started = 0;
  if (std::sscanf(text.c_str(), "%ld %llu", &pid, &started) != 2 || pid <= 0) return false;
  return process_start_time(static_cast<pid_t>(pid)) == started;
}

StopResult stop_container(const std::string& container_dir, int signal,
                          std::chrono::milliseconds timeout) {
  // First, even when it is not running: an owner waiting to restart it must not.
  request_stop(container_dir);
  std::optional<ContainerState> state = read_state(container_dir);
  if (!state) return StopResult::kNotRunning;
  if (!alive(*state)) {
    // Between two runs of its --restart policy, the supervisor sees the request and ends.
    if (supervisor_alive(container_dir, *state)) wait_for_supervisor(state->supervisor_pid);
    return StopResult::kNotRunning;
  }
  UniqueFd pidfd = open_pidfd(state->pid);
  if (!pidfd.valid()) {
    if (errno == ESRCH) return StopResult::kNotRunning;
    throw_errno("pidfd_open of the container's PID 1");
  }
  // The pidfd pins the process we opened; make sure it is still the container's (not a recycled
  // pid) before signalling it.
  if (process_start_time(state->pid) != state->pid_start_time) return StopResult::kNotRunning;

  StoppingMarker marker(container_dir);
  StopResult result = StopResult::kExited;
  if (timeout.count() > 0) {
    send(pidfd.get(), signal);
    fault_point("stop-signalled");
    if (!wait_pidfd(pidfd.get(), timeout)) result = StopResult::kKilled;
  } else {
    result = StopResult::kKilled;
  }
  if (result == StopResult::kKilled) {
    send(pidfd.get(), SIGKILL);
    wait_pidfd(pidfd.get(), std::chrono::seconds(10));
  }

  wait_for_supervisor(state->supervisor_pid);
  return result;
}

}  // namespace dabba::runner
