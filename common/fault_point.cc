#include "common/fault_point.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace dabba {
namespace {

// The names, comma-framed (",a,b,"), or empty when unset: read once, before any thread asks.
const std::string& armed_points() {
  static const std::string points = [] {
    const char* v = std::getenv("DABBA_FAULT_POINT");
    return v == nullptr || *v == '\0' ? std::string() : "," + std::string(v) + ",";
  }();
  return points;
}

void write_all(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

}  // namespace

void fault_point(std::string_view name) {
  const std::string& points = armed_points();
  if (points.empty()) return;
  if (points.find("," + std::string(name) + ",") == std::string::npos) return;
  write_all(STDERR_FILENO, "dabba: fault point " + std::string(name) + ": SIGKILL\n");
  if (const char* mark = std::getenv("DABBA_FAULT_MARK"); mark != nullptr && *mark != '\0') {
    int fd = ::open(mark, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd >= 0) {
      write_all(fd, std::string(name) + "\n");
      ::close(fd);
    }
  }
  ::kill(::getpid(), SIGKILL);
  // Reached in a container's PID 1 only (its namespace ignores a SIGKILL it sends itself): the
  // exit status a SIGKILL gives, if not the signal.
  ::_exit(137);
}

}  // namespace dabba
