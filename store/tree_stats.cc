#include "store/tree_stats.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/dir_stream.h"
#include "common/error.h"

namespace dabba {
namespace {

// dir: owned (the walk closes it). Its name is for errors only.
void walk(UniqueFd dir_fd, const std::string& name, TreeStats& out) {
  DirStream dir(std::move(dir_fd), name);
  while (const struct dirent* e = dir.next()) {
    const char* n = e->d_name;
    ++out.entries;
    unsigned char type = e->d_type;
    struct stat st;
    if (type == DT_UNKNOWN || type == DT_REG) {
      if (::fstatat(dir.fd(), n, &st, AT_SYMLINK_NOFOLLOW) != 0)
        throw_errno(std::string("stat ") + n);
      if (S_ISREG(st.st_mode)) out.bytes += static_cast<uint64_t>(st.st_size);
      if (S_ISDIR(st.st_mode)) type = DT_DIR;
    }
    if (type == DT_DIR) {
      int sub = ::openat(dir.fd(), n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub < 0) throw_errno(std::string("open ") + n);
      walk(UniqueFd(sub), n, out);
    }
  }
}

}  // namespace

TreeStats count_tree(int dir_fd) {
  TreeStats out;
  // A duplicate: the caller keeps its fd (DirStream rewinds the shared offset).
  walk(UniqueFd(DABBA_SYSCALL(::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0), "dup")), ".", out);
  return out;
}

}  // namespace dabba
