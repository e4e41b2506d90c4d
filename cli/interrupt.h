// Ctrl-C for long verbs (pull, load): while a ScopedInterrupt lives, SIGINT and SIGTERM set a
// flag the work polls (the HTTP engine and the puller's workers stop, keeping what they stored
// for a resume) instead of killing the process. A second signal kills at once. The previous
// dispositions come back when it goes out of scope, so `run` can do its own signal handling.
#pragma once

#include <signal.h>

#include <atomic>

namespace dabba::cli {

class ScopedInterrupt {
 public:
  // cancel (HttpOptions::cancel, a load's or save's options.cancel) is pointed at the flag.
  explicit ScopedInterrupt(const std::atomic<bool>*& cancel);
  ~ScopedInterrupt();
  ScopedInterrupt(const ScopedInterrupt&) = delete;
  ScopedInterrupt& operator=(const ScopedInterrupt&) = delete;

  // For HttpOptions::cancel.
  const std::atomic<bool>* flag() const;
  bool interrupted() const { return flag()->load(); }

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

}  // namespace dabba::cli
