#include "store/tree_compare.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <set>

#include "common/dir_stream.h"
#include "common/error.h"

namespace dabba {
namespace {

class Walker {
 public:
  explicit Walker(size_t limit) : limit_(limit) {}
  TreeComparison result() { return std::move(out_); }

  // Compares the directories have and want (both owned), whose path below the roots is path.
  void compare_dirs(UniqueFd have, UniqueFd want, const std::string& path) {
    const std::set<std::string> have_names = names(have.get(), path);
    const std::set<std::string> want_names = names(want.get(), path);
    for (const auto& name : want_names)
      if (!have_names.count(name)) note(join(path, name), "removed (the blob has it)");
    for (const auto& name : have_names) {
      const std::string sub = join(path, name);
      if (!want_names.count(name)) {
        note(sub, "added (the blob does not have it)");
        continue;
      }
      compare_entry(have.get(), want.get(), name, sub);
    }
  }

 private:
  static std::string join(const std::string& dir, const std::string& name) {
    return dir.empty() ? name : dir + "/" + name;
  }

  void note(const std::string& path, const std::string& what) {
    if (out_.differences.size() < limit_) out_.differences.push_back(path + ": " + what);
    ++out_.total;
  }

  // The names in the directory dir_fd (read through a duplicate: the caller keeps its fd).
  static std::set<std::string> names(int dir_fd, const std::string& path) {
    std::set<std::string> out;
    DirStream dir(UniqueFd(DABBA_SYSCALL(::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0), "dup")),
                  path.empty() ? "." : path);
    while (const struct dirent* e = dir.next()) out.emplace(e->d_name);
    return out;
  }

  void compare_entry(int have_dir, int want_dir, const std::string& name, const std::string& path) {
    struct stat a, b;
    if (::fstatat(have_dir, name.c_str(), &a, AT_SYMLINK_NOFOLLOW) != 0)
      throw_errno("stat " + path);
    if (::fstatat(want_dir, name.c_str(), &b, AT_SYMLINK_NOFOLLOW) != 0)
      throw_errno("stat " + path);
    if ((a.st_mode & S_IFMT) != (b.st_mode & S_IFMT)) return note(path, "type changed");
    if ((a.st_mode & 07777) != (b.st_mode & 07777)) note(path, "permissions changed");
    if (a.st_uid != b.st_uid || a.st_gid != b.st_gid) note(path, "owner changed");
    if ((S_ISCHR(a.st_mode) || S_ISBLK(a.st_mode)) && a.st_rdev != b.st_rdev)
      note(path, "device number changed");
    if (S_ISREG(a.st_mode)) {
      if (a.st_size != b.st_size)
        note(path, "modified (" + std::to_string(a.st_size) + " bytes, the blob has " +
                       std::to_string(b.st_size) + ")");
      else if (!same_content(have_dir, want_dir, name, path))
        note(path, "modified (content)");
    }
    if (S_ISLNK(a.st_mode) && link_target(have_dir, name) != link_target(want_dir, name))
      note(path, "link target changed");
    if (xattrs(have_dir, name, a) != xattrs(want_dir, name, b))
      note(path, "extended attributes changed");
    if (S_ISDIR(a.st_mode)) {
      auto open_sub = [&](int dir) {
        int fd = ::openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) throw_errno("open " + path);
        return UniqueFd(fd);
      };
      compare_dirs(open_sub(have_dir), open_sub(want_dir), path);
    }
  }

  static bool same_content(int have_dir, int want_dir, const std::string& name,
                           const std::string& path) {
    auto open_reg = [&](int dir) {
      int fd = ::openat(dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0) throw_errno("open " + path);
      return UniqueFd(fd);
    };
    UniqueFd a = open_reg(have_dir), b = open_reg(want_dir);
    std::vector<char> x(1 << 16), y(1 << 16);
    for (;;) {
      ssize_t n = read_full(a.get(), x.data(), x.size(), path);
      ssize_t m = read_full(b.get(), y.data(), y.size(), path);
      if (n != m || std::memcmp(x.data(), y.data(), static_cast<size_t>(n)) != 0) return false;
      if (n == 0) return true;
    }
  }

  static ssize_t read_full(int fd, char* buf, size_t cap, const std::string& path) {
    size_t done = 0;
    while (done < cap) {
      ssize_t n = ::read(fd, buf + done, cap - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw_errno("read " + path);
      if (n == 0) break;
      done += static_cast<size_t>(n);
    }
    return static_cast<ssize_t>(done);
  }

  static std::string link_target(int dir, const std::string& name) {
    std::string buf(4096, '\0');
    ssize_t n = ::readlinkat(dir, name.c_str(), buf.data(), buf.size());
    return n < 0 ? std::string() : buf.substr(0, static_cast<size_t>(n));
  }

  // name=value of every extended attribute, sorted. Read through /proc/self/fd of an O_PATH fd,
  // so symlinks and devices are read without following or opening them.
  static std::map<std::string, std::string> xattrs(int dir, const std::string& name,
                                                   const struct stat& st) {
    std::map<std::string, std::string> out;
    int fd = ::openat(dir, name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return out;
    UniqueFd owned(fd);
    const std::string proc = "/proc/self/fd/" + std::to_string(fd);
    // lgetxattr on the magic link reads the file it names, with no follow beyond it.
    std::string names(4096, '\0');
    ssize_t n = S_ISLNK(st.st_mode) ? -1 : ::listxattr(proc.c_str(), names.data(), names.size());
    if (n <= 0) return out;
    for (size_t i = 0; i < static_cast<size_t>(n);) {
      std::string key(names.c_str() + i);
      i += key.size() + 1;
      std::string value(65536, '\0');
      ssize_t v = ::getxattr(proc.c_str(), key.c_str(), value.data(), value.size());
      out[key] = v < 0 ? "?" : value.substr(0, static_cast<size_t>(v));
    }
    return out;
  }

  size_t limit_;
  TreeComparison out_;
};

}  // namespace

TreeComparison compare_trees(int have_fd, int want_fd, size_t limit) {
  Walker w(limit);
  auto dup = [](int fd) { return UniqueFd(DABBA_SYSCALL(::fcntl(fd, F_DUPFD_CLOEXEC, 0), "dup")); };
  w.compare_dirs(dup(have_fd), dup(want_fd), "");
  return w.result();
}

}  // namespace dabba
