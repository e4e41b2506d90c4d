#include "runner/attach.h"

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <vector>

#include "common/error.h"
#include "runner/attach_server.h"
#include "runner/io_relay.h"
#include "runner/terminal.h"

namespace dabba::runner {
namespace {

// After the user's terminal hangs up, how long the container has to end after its SIGHUP. A
// shell as PID 1 has no SIGHUP handler and the kernel does not deliver it then, so without this a
// closed terminal would leave the container running with nobody attached.
constexpr int kHangupGraceMs = 5000;

}  // namespace

ExitStatus attach(ContainerProcess& container, SignalRelay& relay, const AttachOptions& options) {
  IgnoreSigpipe ignore_sigpipe;
  IoSinks sinks;
  sinks.in = options.stdin_open ? options.in : -1;
  sinks.out = options.out;
  sinks.err = options.tty ? -1 : options.err;
  sinks.log = options.log;
  if (options.server) {
    AttachServer* server = options.server;
    sinks.tap = [server](LogStream stream, std::string_view data) { server->output(stream, data); };
    sinks.external_input = server->stdin_open();
  }
  IoRelay io(container.take_io(), sinks);
  // Raw: every key, ^C and ^Z included, goes to the container's line discipline, which turns
  // them into signals for its foreground job.
  std::optional<TerminalRawMode> raw;
  if (options.tty && options.stdin_open) raw.emplace(options.in);
  std::optional<std::chrono::steady_clock::time_point> kill_at;
  auto hang_up = [&] {
    if (kill_at) return;
    container.kill(SIGHUP);
    kill_at = std::chrono::steady_clock::now() + std::chrono::milliseconds(kHangupGraceMs);
  };

  using Clock = std::chrono::steady_clock;
  bool timing = options.timeout_seconds > 0;
  const Clock::time_point deadline = Clock::now() + std::chrono::seconds(options.timeout_seconds);

  std::vector<pollfd> fds;
  for (;;) {
    if (options.tty && ((io.output_lost() && options.hang_up_on_output_loss) || io.terminal_gone()))
      hang_up();
    if (timing && Clock::now() >= deadline) {
      // conmon's --timeout: SIGKILL, no grace period.
      container.kill(SIGKILL);
      if (options.timed_out) *options.timed_out = true;
      timing = false;
    }
    int timeout = -1;
    if (timing)
      timeout = static_cast<int>(
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count() +
          1);
    if (kill_at) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                      *kill_at - std::chrono::steady_clock::now())
                      .count();
      if (left <= 0)
        container.kill(SIGKILL);
      else if (timeout < 0 || left < timeout)
        timeout = static_cast<int>(left);
    }
    fds.clear();
    fds.push_back({relay.fd(), POLLIN, 0});
    size_t first = io.add(fds);
    size_t server_first = options.server ? options.server->add(fds, io) : 0;
    if (::poll(fds.data(), static_cast<nfds_t>(fds.size()), timeout) < 0) {
      if (errno == EINTR) continue;
      throw_errno("poll");
    }
    io.handle(fds, first);
    if (options.server) options.server->handle(fds, server_first, io, container);
    if (fds[0].revents & POLLIN) {
      while (std::optional<int> sig = relay.next()) {
        if (*sig == SIGCHLD) continue;
        if (*sig == SIGWINCH) {
          copy_window_size(options.in, io.pty_master());
          continue;
        }
        container.kill(*sig);
      }
      if (std::optional<ExitStatus> st = container.try_wait()) {
        // PID 1 is gone and with it the pid namespace; what the pipes or the pty still hold is
        // the output's tail.
        io.drain();
        return *st;
      }
    }
  }
}

}  // namespace dabba::runner
