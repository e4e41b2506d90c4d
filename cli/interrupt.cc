#include "cli/interrupt.h"

#include <signal.h>

namespace dabba::cli {
namespace {

std::atomic<bool> g_interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free);

void on_signal(int sig) {
  if (g_interrupted.exchange(true)) {
    // The second Ctrl-C: stop now (the store survives a kill).
    ::signal(sig, SIG_DFL);
    ::raise(sig);
  }
}

}  // namespace

ScopedInterrupt::ScopedInterrupt(const std::atomic<bool>*& cancel) {
  g_interrupted.store(false);
  cancel = &g_interrupted;
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;  // only poll() returns early; the HTTP loop checks the flag then
  ::sigaction(SIGINT, &sa, &old_int_);
  ::sigaction(SIGTERM, &sa, &old_term_);
}

ScopedInterrupt::~ScopedInterrupt() {
  ::sigaction(SIGINT, &old_int_, nullptr);
  ::sigaction(SIGTERM, &old_term_, nullptr);
}

const std::atomic<bool>* ScopedInterrupt::flag() const { return &g_interrupted; }

}  // namespace dabba::cli
