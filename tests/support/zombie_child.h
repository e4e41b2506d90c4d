// A child of the test that runs until told to exit, and then stays unreaped (a zombie) until the
// test reaps it: for the one /proc/PID/stat rule (a zombie is not alive, common/proc_stat.h)
// wherever a test checks it.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/child_process.h"
#include "common/error.h"
#include "common/unique_fd.h"

namespace dabba::testing {

class ZombieChild {
 public:
  ZombieChild() : go_(Pipe::make()) {
    pid_t pid = ::fork();
    if (pid < 0) throw_errno("fork");
    if (pid == 0) {
      char byte;
      ::_exit(::read(go_.read.get(), &byte, 1) == 1 ? 0 : 1);
    }
    child_ = ChildProcess(pid);
  }

  pid_t pid() const { return child_.pid(); }
  // Tells it to exit and returns once it has: a zombie now, its parent (we) not having reaped it.
  void exit_unreaped() {
    DABBA_SYSCALL(::write(go_.write.get(), "x", 1));
    siginfo_t info;
    DABBA_SYSCALL(::waitid(P_PID, static_cast<id_t>(pid()), &info, WEXITED | WNOWAIT));
  }
  void reap() { child_.wait(); }

 private:
  Pipe go_;
  ChildProcess child_;
};

}  // namespace dabba::testing
