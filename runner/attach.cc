#include "runner/attach.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <string>

#include "common/error.h"
#include "runner/terminal.h"

namespace dabba::runner {
namespace {

void set_nonblocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

// After the user's terminal hangs up, how long the container has to end after its SIGHUP. A
// shell as PID 1 has no SIGHUP handler and the kernel does not deliver it then, so without this a
// closed terminal would leave the container running with nobody attached.
constexpr int kHangupGraceMs = 5000;

// Writes all of data to a blocking fd (the user's terminal); false if it is gone.
bool write_out(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        struct pollfd p = {fd, POLLOUT, 0};
        ::poll(&p, 1, -1);
        continue;
      }
      return false;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

// Reads what the pty has for us and copies it out. Returns false once the pty is closed (EIO: no
// process holds its slave any more). *out_gone is set when our output is (the terminal hung up).
bool drain_master(int master, int out, bool* out_gone) {
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(master, buf, sizeof buf);
    if (n > 0) {
      if (!*out_gone && !write_out(out, buf, static_cast<size_t>(n))) *out_gone = true;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return true;
    return false;  // EOF or EIO
  }
}

// SIGPIPE ignored for the life of the object: a closed output becomes EPIPE (a hang-up), not the
// death of dabba with the user's terminal left raw.
class IgnoreSigpipe {
 public:
  IgnoreSigpipe() {
    struct sigaction ignore = {};
    ignore.sa_handler = SIG_IGN;
    ::sigaction(SIGPIPE, &ignore, &old_);
  }
  ~IgnoreSigpipe() { ::sigaction(SIGPIPE, &old_, nullptr); }

 private:
  struct sigaction old_ = {};
};

}  // namespace

ExitStatus attach(ContainerProcess& container, SignalRelay& relay, const AttachOptions& options) {
  const int master = options.tty ? container.pty_master() : -1;
  IgnoreSigpipe ignore_sigpipe;
  std::optional<TerminalRawMode> raw;
  if (master >= 0) {
    set_nonblocking(master);
    // Raw: every key, ^C and ^Z included, goes to the container's line discipline, which turns
    // them into signals for its foreground job.
    if (options.stdin_open) raw.emplace(options.in);
  }
  bool stdin_live = master >= 0 && options.stdin_open;
  bool master_live = master >= 0;
  bool out_gone = false;
  std::string to_container;  // from our stdin, not yet taken by the pty
  const bool in_is_terminal = master >= 0 && ::isatty(options.in);
  std::optional<std::chrono::steady_clock::time_point> kill_at;

  auto hang_up = [&] {
    if (kill_at) return;
    container.kill(SIGHUP);
    kill_at = std::chrono::steady_clock::now() + std::chrono::milliseconds(kHangupGraceMs);
  };

  for (;;) {
    if (out_gone && options.hang_up_on_output_loss) hang_up();
    int timeout = -1;
    if (kill_at) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                      *kill_at - std::chrono::steady_clock::now())
                      .count();
      if (left <= 0) {
        container.kill(SIGKILL);
        timeout = -1;
      } else {
        timeout = static_cast<int>(left);
      }
    }
    struct pollfd fds[3];
    int n = 0;
    fds[n++] = {relay.fd(), POLLIN, 0};
    int master_slot = -1, stdin_slot = -1;
    if (master_live) {
      master_slot = n;
      fds[n++] = {master, static_cast<short>(POLLIN | (to_container.empty() ? 0 : POLLOUT)), 0};
    }
    if (stdin_live && to_container.empty()) {
      stdin_slot = n;
      fds[n++] = {options.in, POLLIN, 0};
    }
    if (::poll(fds, static_cast<nfds_t>(n), timeout) < 0) {
      if (errno == EINTR) continue;
      throw_errno("poll");
    }

    if (fds[0].revents & POLLIN) {
      while (std::optional<int> sig = relay.next()) {
        if (*sig == SIGCHLD) continue;
        if (*sig == SIGWINCH) {
          copy_window_size(options.in, master);
          continue;
        }
        container.kill(*sig);
      }
      if (std::optional<ExitStatus> st = container.try_wait()) {
        // PID 1 is gone and with it the pid namespace; what the pty still buffers is the output's
        // tail.
        if (master_live) drain_master(master, options.out, &out_gone);
        return *st;
      }
    }
    if (master_slot >= 0) {
      short re = fds[master_slot].revents;
      if (re & (POLLIN | POLLHUP | POLLERR)) {
        if (!drain_master(master, options.out, &out_gone)) master_live = false;
      }
      if (master_live && (re & POLLOUT) && !to_container.empty()) {
        ssize_t w = ::write(master, to_container.data(), to_container.size());
        if (w > 0) to_container.erase(0, static_cast<size_t>(w));
      }
    }
    if (stdin_slot >= 0 && (fds[stdin_slot].revents & (POLLIN | POLLHUP | POLLERR))) {
      char buf[4096];
      ssize_t r = ::read(options.in, buf, sizeof buf);
      if (r > 0) {
        to_container.append(buf, static_cast<size_t>(r));
        ssize_t w = ::write(master, to_container.data(), to_container.size());
        if (w > 0) to_container.erase(0, static_cast<size_t>(w));
      } else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
        stdin_live = false;
        // A terminal that reads EOF or EIO is gone (closed window, dropped ssh): hang up the
        // container's session as the kernel would have done for a local shell.
        if (in_is_terminal) hang_up();
      }
    }
  }
}

}  // namespace dabba::runner
