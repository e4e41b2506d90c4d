#include "runner/init_reaper.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runner/signals.h"

namespace dabba::runner {

void run_init_reaper(pid_t workload) noexcept {
  ::prctl(PR_SET_NAME, "dabba-init");  // what `ps` in the container shows for PID 1
  // The parent blocked the forwarded signals before clone, so any sent to us before now are
  // queued, not lost; read them (and SIGCHLD) from a signalfd.
  sigset_t set = forwarded_signals();
  sigaddset(&set, SIGCHLD);
  ::sigprocmask(SIG_BLOCK, &set, nullptr);
  int sfd = ::signalfd(-1, &set, SFD_CLOEXEC);
  ::setsid();
  int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null >= 0) {
    ::dup2(null, 0);
    ::close(null);
  }
  // Nothing of dabba's setup is needed here any more: keep only the signalfd, as fd 3.
  if (sfd >= 0 && sfd != 3 && ::dup2(sfd, 3) == 3) sfd = 3;
  ::close_range(sfd == 3 ? 4 : 3, ~0u, 0);

  for (;;) {
    struct signalfd_siginfo info;
    ssize_t n = sfd >= 0 ? ::read(sfd, &info, sizeof info) : -1;
    if (n < 0 && sfd >= 0 && errno == EINTR) continue;
    if (n == sizeof info && info.ssi_signo != SIGCHLD) {
      ::kill(workload, static_cast<int>(info.ssi_signo));
      continue;
    }
    // SIGCHLD (or no signalfd at all: then just block in waitpid): reap everyone who is done.
    for (;;) {
      int st;
      pid_t pid = ::waitpid(-1, &st, sfd >= 0 ? WNOHANG : 0);
      if (pid <= 0) {
        if (pid < 0 && errno == ECHILD) ::_exit(0);
        break;
      }
      if (pid == workload) {
        ::_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
      }
    }
  }
}

}  // namespace dabba::runner
