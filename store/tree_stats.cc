#include "store/tree_stats.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"

namespace dabba {
namespace {

void walk(int dir_fd, TreeStats& out) {
  int fd = ::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);
  if (fd < 0) throw_errno("dup");
  DIR* dir = ::fdopendir(fd);
  if (dir == nullptr) {
    ::close(fd);
    throw_errno("opendir");
  }
  ::rewinddir(dir);
  try {
    while (struct dirent* e = ::readdir(dir)) {
      const char* n = e->d_name;
      if (n[0] == '.' && (n[1] == '\0' || (n[1] == '.' && n[2] == '\0'))) continue;
      ++out.entries;
      unsigned char type = e->d_type;
      struct stat st;
      if (type == DT_UNKNOWN || type == DT_REG) {
        if (::fstatat(::dirfd(dir), n, &st, AT_SYMLINK_NOFOLLOW) != 0)
          throw_errno(std::string("stat ") + n);
        if (S_ISREG(st.st_mode)) out.bytes += static_cast<uint64_t>(st.st_size);
        if (S_ISDIR(st.st_mode)) type = DT_DIR;
      }
      if (type == DT_DIR) {
        int sub = ::openat(::dirfd(dir), n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub < 0) throw_errno(std::string("open ") + n);
        try {
          walk(sub, out);
        } catch (...) {
          ::close(sub);
          throw;
        }
        ::close(sub);
      }
    }
  } catch (...) {
    ::closedir(dir);
    throw;
  }
  ::closedir(dir);
}

}  // namespace

TreeStats count_tree(int dir_fd) {
  TreeStats out;
  walk(dir_fd, out);
  return out;
}

}  // namespace dabba
