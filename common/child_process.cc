#include "common/child_process.h"

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <thread>
#include <utility>

#include "common/error.h"

namespace dabba {

using Clock = std::chrono::steady_clock;

bool ExitStatus::exited() const { return WIFEXITED(raw); }
int ExitStatus::code() const {
  if (WIFEXITED(raw)) return WEXITSTATUS(raw);
  if (WIFSIGNALED(raw)) return 128 + WTERMSIG(raw);
  return 255;
}
int ExitStatus::signal() const { return WIFSIGNALED(raw) ? WTERMSIG(raw) : 0; }
std::string ExitStatus::describe() const {
  if (WIFEXITED(raw)) return "exit status " + std::to_string(WEXITSTATUS(raw));
  if (WIFSIGNALED(raw))
    return "killed by signal " + std::to_string(WTERMSIG(raw)) + " (" + strsignal(WTERMSIG(raw)) +
           ")";
  return "unknown status " + std::to_string(raw);
}

UniqueFd open_pidfd(pid_t pid) {
  return UniqueFd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
}

bool signal_pidfd(int pidfd, int sig) {
  if (::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0) == 0) return true;
  if (errno == ESRCH) return false;
  throw_errno("send signal " + std::to_string(sig));
}

bool wait_pidfd(int pidfd, std::chrono::milliseconds timeout) {
  struct pollfd p = {pidfd, POLLIN, 0};
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    int n = ::poll(&p, 1, static_cast<int>(std::max<int64_t>(left.count(), 0)));
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) throw_errno("poll a pidfd");
  }
}

ChildProcess::ChildProcess(pid_t pid, UniqueFd pidfd) : pid_(pid), pidfd_(std::move(pidfd)) {}

ChildProcess::ChildProcess(ChildProcess&& o) noexcept
    : pid_(std::exchange(o.pid_, -1)), pidfd_(std::move(o.pidfd_)), status_(o.status_) {
  o.status_.reset();
}

ChildProcess& ChildProcess::operator=(ChildProcess&& o) noexcept {
  if (this != &o) {
    kill_and_reap();
    pid_ = std::exchange(o.pid_, -1);
    pidfd_ = std::move(o.pidfd_);
    status_ = o.status_;
    o.status_.reset();
  }
  return *this;
}

ChildProcess::~ChildProcess() { kill_and_reap(); }

void ChildProcess::kill_and_reap() noexcept {
  if (!running()) return;
  signal(SIGKILL);
  int raw = 0;
  while (::waitpid(pid_, &raw, 0) < 0 && errno == EINTR) {
  }
  status_ = ExitStatus{raw};
}

void ChildProcess::signal(int sig) noexcept {
  if (!running()) return;
  // Unreaped, the pid cannot have been recycled: kill() is as safe as the pidfd here.
  if (pidfd_.valid() && ::syscall(SYS_pidfd_send_signal, pidfd_.get(), sig, nullptr, 0) == 0)
    return;
  ::kill(pid_, sig);
}

ExitStatus ChildProcess::wait() {
  if (status_) return *status_;
  if (pid_ <= 0) throw Error(Errc::kFailed, "wait: no child process");
  int raw = 0;
  DABBA_SYSCALL(::waitpid(pid_, &raw, 0), "wait for process", pid_);
  status_ = ExitStatus{raw};
  return *status_;
}

std::optional<ExitStatus> ChildProcess::wait(std::chrono::milliseconds timeout) {
  if (status_) return status_;
  if (pid_ <= 0) throw Error(Errc::kFailed, "wait: no child process");
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    int raw = 0;
    pid_t r = ::waitpid(pid_, &raw, WNOHANG);
    if (r == pid_) {
      status_ = ExitStatus{raw};
      return status_;
    }
    if (r < 0 && errno != EINTR) throw_errno("wait for process " + std::to_string(pid_));
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return std::nullopt;
    if (!pidfd_.valid()) pidfd_ = open_pidfd(pid_);
    if (pidfd_.valid()) {
      wait_pidfd(pidfd_.get(), left);
    } else {
      // No pidfd (a kernel before 5.3): look again soon.
      std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds(10)));
    }
  }
}

ExitStatus ChildProcess::stop(int sig, std::chrono::milliseconds grace) noexcept {
  if (status_ || pid_ <= 0) return status_.value_or(ExitStatus{});
  if (sig != 0) signal(sig);
  if (sig != SIGKILL && grace.count() > 0) {
    try {
      if (auto st = wait(grace)) return *st;
    } catch (const Error&) {
      // Reaped below after the kill, or not at all if it is not ours after all.
    }
  }
  kill_and_reap();
  return status_.value_or(ExitStatus{});
}

pid_t ChildProcess::release() {
  pid_t pid = running() ? pid_ : -1;
  pid_ = -1;
  pidfd_.reset();
  status_.reset();
  return pid;
}

}  // namespace dabba
