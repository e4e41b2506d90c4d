#include "cli/preserve_fds.h"

#include <fcntl.h>

#include <string>

#include "common/error.h"

namespace dabba::cli {

void check_preserve_fds(int count, bool exec) {
  if (count < 0) throw Error(Errc::kInvalidArgument, "--preserve-fds must not be negative");
  for (int fd = 3; fd < 3 + count; ++fd) {
    if (::fcntl(fd, F_GETFD) >= 0) continue;
    if (exec)
      throw Error(Errc::kInvalidArgument,
                  "invalid --preserve-fds=N specified. Not enough FDs available", 0,
                  "fd " + std::to_string(fd) + " is not open; open fds 3 to " +
                      std::to_string(2 + count) + " for dabba (e.g. `3<file`)");
    throw Error(Errc::kInvalidArgument,
                "file descriptor " + std::to_string(fd) +
                    " is not available - the preserve-fds option requires that all file "
                    "descriptors must be opened",
                0, "open fds 3 to " + std::to_string(2 + count) + " for dabba (e.g. `3<file`)");
  }
}

}  // namespace dabba::cli
