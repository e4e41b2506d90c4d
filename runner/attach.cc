#include "runner/attach.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <string>

#include "common/error.h"
#include "runner/terminal.h"

namespace dabba::runner {
namespace {

void set_nonblocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

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
// process holds its slave any more).
bool drain_master(int master, int out) {
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(master, buf, sizeof buf);
    if (n > 0) {
      write_out(out, buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return true;
    return false;  // EOF or EIO
  }
}

}  // namespace

ExitStatus attach(ContainerProcess& container, SignalRelay& relay, const AttachOptions& options) {
  const int master = options.tty ? container.pty_master() : -1;
  std::optional<TerminalRawMode> raw;
  if (master >= 0) {
    set_nonblocking(master);
    // Raw: every key, ^C and ^Z included, goes to the container's line discipline, which turns
    // them into signals for its foreground job.
    if (options.stdin_open) raw.emplace(options.in);
  }
  bool stdin_live = master >= 0 && options.stdin_open;
  bool master_live = master >= 0;
  std::string to_container;  // from our stdin, not yet taken by the pty

  for (;;) {
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
    if (::poll(fds, static_cast<nfds_t>(n), -1) < 0) {
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
        if (master_live) drain_master(master, options.out);
        return *st;
      }
    }
    if (master_slot >= 0) {
      short re = fds[master_slot].revents;
      if (re & (POLLIN | POLLHUP | POLLERR)) {
        if (!drain_master(master, options.out)) master_live = false;
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
      }
    }
  }
}

}  // namespace dabba::runner
