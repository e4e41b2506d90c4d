#include "runner/clone.h"

#include <linux/sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/error.h"

namespace dabba::runner {

CloneResult clone_process(uint64_t flags) {
  CloneResult r;
  int pidfd = -1;
  struct clone_args args = {};
  args.flags = flags | CLONE_PIDFD;
  args.pidfd = reinterpret_cast<uint64_t>(&pidfd);
  // With CLONE_PARENT the child inherits the caller's own exit signal; clone3 wants 0 here.
  args.exit_signal = (flags & CLONE_PARENT) ? 0 : SIGCHLD;
  long pid = ::syscall(SYS_clone3, &args, sizeof args);
  if (pid < 0 && errno == ENOSYS) {
    // Before 5.3: plain clone, fork-like because no stack is given.
    pidfd = -1;
    unsigned long exit_signal = (flags & CLONE_PARENT) ? 0 : SIGCHLD;
    pid = ::syscall(SYS_clone, static_cast<unsigned long>(flags) | exit_signal, nullptr, nullptr,
                    nullptr, nullptr);
  }
  if (pid < 0) throw_errno("clone the container's first process");
  r.pid = static_cast<pid_t>(pid);
  if (pid > 0) r.pidfd.reset(pidfd);
  return r;
}

}  // namespace dabba::runner
