#include "runner/signals.h"

#include <sys/signalfd.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <tuple>

#include "common/error.h"

namespace dabba::runner {

const sigset_t& forwarded_signals() {
  static const sigset_t set = [] {
    sigset_t s;
    sigemptyset(&s);
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2}) sigaddset(&s, sig);
    return s;
  }();
  return set;
}

SignalRelay::SignalRelay() {
  sigset_t set = forwarded_signals();
  sigaddset(&set, SIGCHLD);
  sigaddset(&set, SIGWINCH);
  DABBA_SYSCALL(::sigprocmask(SIG_BLOCK, &set, &old_));
  int fd = ::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (fd < 0) {
    int err = errno;
    ::sigprocmask(SIG_SETMASK, &old_, nullptr);
    throw_errno("signalfd", err);
  }
  fd_.reset(fd);
}

SignalRelay::~SignalRelay() {
  fd_.reset();
  ::sigprocmask(SIG_SETMASK, &old_, nullptr);
}

IgnoreSigpipe::IgnoreSigpipe() {
  struct sigaction ignore = {};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ignore, &old_);
}

IgnoreSigpipe::~IgnoreSigpipe() { ::sigaction(SIGPIPE, &old_, nullptr); }

std::optional<int> SignalRelay::next() {
  struct signalfd_siginfo info;
  ssize_t n;
  do {
    n = ::read(fd_.get(), &info, sizeof info);
  } while (n < 0 && errno == EINTR);
  if (n != sizeof info) return std::nullopt;
  return static_cast<int>(info.ssi_signo);
}

int parse_signal(const std::string& text) {
  // podman's ParseSignalNameOrNumber: a leading '-' is dropped ("-1", "-HUP"), and its words.
  const std::string name = !text.empty() && text[0] == '-' ? text.substr(1) : text;
  if (!name.empty() && name.find_first_not_of("0123456789") == std::string::npos) {
    const bool huge = name.size() > 9;
    const long n = huge ? 0 : std::stol(name);
    if (!huge && n == 0) throw Error(Errc::kInvalidArgument, "invalid signal: " + name);
    if (huge || n >= NSIG) throw Error(Errc::kInvalidArgument, "valid signals are 1 through 64");
    return static_cast<int>(n);
  } else {
    std::string upper;
    for (char c : name) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (upper.rfind("SIG", 0) == 0) upper = upper.substr(3);
    // Realtime signals by offset, as systemd images spell their StopSignal ("SIGRTMIN+3").
    for (auto [base, sign, value] : {std::tuple{"RTMIN", 1, SIGRTMIN}, {"RTMAX", -1, SIGRTMAX}}) {
      std::string b = base;
      if (upper.rfind(b, 0) != 0) continue;
      std::string rest = upper.substr(b.size());
      int offset = 0;
      if (!rest.empty()) {
        if (rest[0] != (sign > 0 ? '+' : '-') || rest.size() < 2 ||
            rest.find_first_not_of("0123456789", 1) != std::string::npos)
          break;
        offset = std::stoi(rest.substr(1));
      }
      int sig = value + sign * offset;
      if (sig >= SIGRTMIN && sig <= SIGRTMAX) return sig;
      break;
    }
    for (int sig = 1; sig < SIGRTMIN; ++sig) {
      const char* abbrev = ::sigabbrev_np(sig);
      if (abbrev != nullptr && upper == abbrev) return sig;
    }
  }
  throw Error(Errc::kInvalidArgument, "invalid signal: " + name);
}

}  // namespace dabba::runner
