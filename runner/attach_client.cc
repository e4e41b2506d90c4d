#include "runner/attach_client.h"

#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <deque>
#include <optional>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "common/unique_fd.h"
#include "runner/attach_server.h"
#include "runner/detach_keys.h"
#include "runner/io_relay.h"
#include "runner/signals.h"
#include "runner/terminal.h"

namespace dabba::runner {
namespace {

class Client {
 public:
  Client(UniqueFd sock, const AttachClientOptions& options)
      : sock_(std::move(sock)), options_(options), keys_(options.detach_keys) {}

  AttachOutcome run(SignalRelay& signals) {
    std::vector<pollfd> fds;
    for (;;) {
      fds.clear();
      fds.push_back(
          {sock_.get(), static_cast<short>(POLLIN | (pending_.empty() ? 0 : POLLOUT)), 0});
      fds.push_back({signals.fd(), POLLIN, 0});
      const bool read_stdin = stdin_open_ && pending_.empty();
      if (read_stdin) fds.push_back({options_.in, POLLIN, 0});
      if (::poll(fds.data(), fds.size(), -1) < 0) {
        if (errno == EINTR) continue;
        throw_errno("poll");
      }
      if (fds[0].revents & POLLOUT) flush();
      if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
        if (!read_owner()) return outcome_;
      }
      if (fds[1].revents & POLLIN) {
        while (std::optional<int> sig = signals.next()) {
          if (*sig == SIGCHLD) continue;
          if (*sig == SIGWINCH) {
            send_window_size();
          } else if (options_.sig_proxy && !tty_) {
            queue('s', std::to_string(*sig));
          } else {
            outcome_.signal = *sig;
            return outcome_;
          }
        }
      }
      if (read_stdin && (fds[2].revents & (POLLIN | POLLHUP | POLLERR))) {
        if (!read_input()) return outcome_;
      }
    }
  }

 private:
  // One or more of the owner's messages; false when the attach is over.
  bool read_owner() {
    char buf[kAttachMessageMax + 1];
    for (int i = 0; i < 16; ++i) {
      ssize_t n = ::recv(sock_.get(), buf, sizeof buf, MSG_DONTWAIT);
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;  // the owner went away (or let us go after the exit code)
      std::string_view payload(buf + 1, static_cast<size_t>(n - 1));
      switch (buf[0]) {
        case 'H':
          hello(payload);
          break;
        case 'o':
          write_all_to(options_.out, payload.data(), payload.size());
          break;
        case 'e':
          write_all_to(options_.err, payload.data(), payload.size());
          break;
        case 'x':
          outcome_.exit_code = std::atoi(std::string(payload).c_str());
          return false;
        default:
          break;
      }
    }
    return true;
  }

  void hello(std::string_view flags) {
    tty_ = flags.size() > 0 && flags[0] == '1';
    const bool container_stdin = flags.size() > 1 && flags[1] == '1';
    stdin_open_ = container_stdin && options_.stdin_wanted && options_.in >= 0;
    // Raw: every key, ^C included, goes to the container's line discipline; the detach keys
    // are ours to see.
    if (tty_ && stdin_open_) raw_.emplace(options_.in);
    if (tty_) send_window_size();
  }

  void send_window_size() {
    if (!tty_) return;
    const int terminal = user_terminal_fd();
    struct winsize ws {};
    if (terminal < 0 || ::ioctl(terminal, TIOCGWINSZ, &ws) != 0) return;
    queue('w', std::to_string(ws.ws_row) + " " + std::to_string(ws.ws_col));
  }

  // What we type; false when the detach keys were typed.
  bool read_input() {
    char buf[4096];
    ssize_t n = ::read(options_.in, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
    if (n <= 0) {
      // Our input ended: so does the container's (a pipe; a pty stays as it is).
      stdin_open_ = false;
      queue('c', {});
      return true;
    }
    bool detached = false;
    std::string pass = keys_.feed(std::string_view(buf, static_cast<size_t>(n)), detached);
    if (!pass.empty()) queue('i', pass);
    if (detached) {
      flush();
      outcome_.detached = true;
      return false;
    }
    return true;
  }

  void queue(char type, std::string_view payload) {
    std::string message(1, type);
    message.append(payload);
    pending_.push_back(std::move(message));
    flush();
  }

  void flush() {
    while (!pending_.empty()) {
      const std::string& m = pending_.front();
      ssize_t n = ::send(sock_.get(), m.data(), m.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) pending_.clear();  // gone: read_owner sees it
        return;
      }
      pending_.pop_front();
    }
  }

  UniqueFd sock_;
  const AttachClientOptions& options_;
  DetachKeyMatcher keys_;
  bool tty_ = false;
  bool stdin_open_ = false;
  std::optional<TerminalRawMode> raw_;
  std::deque<std::string> pending_;  // messages for the owner, in order
  AttachOutcome outcome_;
};

}  // namespace

AttachOutcome attach_client(const std::string& container_dir, const AttachClientOptions& options) {
  SignalRelay signals;  // before the connection: a Ctrl-C from now on is seen in the loop
  IgnoreSigpipe ignore_sigpipe;
  Client client(connect_attach_socket(container_dir), options);
  return client.run(signals);
}

}  // namespace dabba::runner
