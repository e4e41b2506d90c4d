// The user's terminal while a -t container runs: raw mode for the duration (restored on every
// exit path, exceptions included), and its window size copied to the container's pty.
#pragma once

#include <termios.h>

namespace dabba::runner {

// Puts fd in raw mode if it is a terminal; restores the previous mode on destruction.
class TerminalRawMode {
 public:
  explicit TerminalRawMode(int fd);
  ~TerminalRawMode();
  TerminalRawMode(const TerminalRawMode&) = delete;
  TerminalRawMode& operator=(const TerminalRawMode&) = delete;
  bool active() const { return active_; }

 private:
  int fd_;
  bool active_ = false;
  struct termios saved_ {};
};

// Copies the window size of the terminal `from` (the first of the fds that is a terminal) onto
// the pty master `to`; the kernel then sends SIGWINCH to the pty's foreground process group.
// Does nothing if `from` is not a terminal.
void copy_window_size(int from, int to);

// The first of stdin, stdout, stderr that is a terminal, or -1.
int user_terminal_fd();

}  // namespace dabba::runner
