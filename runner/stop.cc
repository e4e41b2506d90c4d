#include "runner/stop.h"

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <thread>

#include "common/error.h"
#include "common/unique_fd.h"

namespace dabba::runner {
namespace {

// True once the process behind pidfd has exited (or after timeout: false).
bool wait_exit(int pidfd, std::chrono::milliseconds timeout) {
  struct pollfd p = {pidfd, POLLIN, 0};
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    int r = ::poll(&p, 1, static_cast<int>(std::max<int64_t>(left, 0)));
    if (r > 0) return true;
    if (r == 0) return false;
    if (errno != EINTR) throw_errno("poll a pidfd");
  }
}

void send(int pidfd, int sig) {
  if (::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0) != 0 && errno != ESRCH)
    throw Error(errc_from_errno(errno), "signal the container", errno,
                errno == EPERM ? "a rootless dabba must stop containers from outside its own user "
                                 "namespace"
                               : "");
}

}  // namespace

StopResult stop_container(const std::string& container_dir, int signal,
                          std::chrono::milliseconds timeout) {
  std::optional<ContainerState> state = read_state(container_dir);
  if (!state || !alive(*state)) return StopResult::kNotRunning;
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, state->pid, 0)));
  if (!pidfd.valid()) {
    if (errno == ESRCH) return StopResult::kNotRunning;
    throw_errno("pidfd_open of the container's PID 1");
  }
  // The pidfd pins the process we opened; make sure it is still the container's (not a recycled
  // pid) before signalling it.
  if (process_start_time(state->pid) != state->pid_start_time) return StopResult::kNotRunning;

  StopResult result = StopResult::kExited;
  if (timeout.count() > 0) {
    send(pidfd.get(), signal);
    if (!wait_exit(pidfd.get(), timeout)) result = StopResult::kKilled;
  } else {
    result = StopResult::kKilled;
  }
  if (result == StopResult::kKilled) {
    send(pidfd.get(), SIGKILL);
    wait_exit(pidfd.get(), std::chrono::seconds(10));
  }

  // The supervisor records the exit, removes cgroups and helpers, then exits: wait for that (a
  // SIGKILLed supervisor is gone already, and nobody will record it).
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (state->supervisor_pid <= 0 || (::kill(state->supervisor_pid, 0) != 0 && errno == ESRCH))
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return result;
}

}  // namespace dabba::runner
