#include "runner/terminal.h"

#include <sys/ioctl.h>
#include <unistd.h>

namespace dabba::runner {

TerminalRawMode::TerminalRawMode(int fd) : fd_(fd) {
  if (fd < 0 || !::isatty(fd) || ::tcgetattr(fd, &saved_) != 0) return;
  struct termios raw = saved_;
  ::cfmakeraw(&raw);
  if (::tcsetattr(fd, TCSADRAIN, &raw) == 0) active_ = true;
}

TerminalRawMode::~TerminalRawMode() {
  if (active_) ::tcsetattr(fd_, TCSADRAIN, &saved_);
}

void copy_window_size(int from, int to) {
  if (from < 0 || to < 0) return;
  struct winsize ws;
  if (::ioctl(from, TIOCGWINSZ, &ws) == 0) ::ioctl(to, TIOCSWINSZ, &ws);
}

int user_terminal_fd() {
  for (int fd = 0; fd < 3; ++fd)
    if (::isatty(fd)) return fd;
  return -1;
}

}  // namespace dabba::runner
