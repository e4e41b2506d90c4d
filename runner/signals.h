// The signals dabba passes on to a container, and the RAII block + signalfd that lets the parent
// read them (and SIGCHLD, SIGWINCH) in its poll loop instead of in handlers.
#pragma once

#include <signal.h>

#include <optional>
#include <string>

#include "common/unique_fd.h"

namespace dabba::runner {

// SIGINT SIGTERM SIGHUP SIGQUIT SIGUSR1 SIGUSR2: what `dabba run` and the --init reaper forward.
const sigset_t& forwarded_signals();

// Blocks the forwarded signals, SIGCHLD and SIGWINCH for the life of the object and reads them from
// a signalfd. Create it before the container is cloned: a signal that arrives while the container
// starts then waits in the queue and is forwarded once it runs. The child inherits the block and
// undoes it before exec. Restores the previous mask on destruction.
class SignalRelay {
 public:
  SignalRelay();
  ~SignalRelay();
  SignalRelay(const SignalRelay&) = delete;
  SignalRelay& operator=(const SignalRelay&) = delete;

  int fd() const { return fd_.get(); }
  // The next pending signal, or nullopt when none is pending (the fd is non-blocking).
  std::optional<int> next();

 private:
  sigset_t old_;
  UniqueFd fd_;
};

// SIGPIPE ignored for the life of the object: a closed output becomes EPIPE (a hang-up), not the
// death of dabba with the user's terminal left raw.
class IgnoreSigpipe {
 public:
  IgnoreSigpipe();
  ~IgnoreSigpipe();
  IgnoreSigpipe(const IgnoreSigpipe&) = delete;
  IgnoreSigpipe& operator=(const IgnoreSigpipe&) = delete;

 private:
  struct sigaction old_ = {};
};

// "SIGTERM", "TERM", "15", "-15" -> 15; throws Error{kInvalidArgument} with podman's words for
// anything else ("invalid signal: X", "valid signals are 1 through 64").
int parse_signal(const std::string& name);

}  // namespace dabba::runner
