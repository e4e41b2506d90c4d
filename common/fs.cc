#include "common/fs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <utility>
#include <vector>

#include "common/dir_stream.h"
#include "common/error.h"

namespace dabba {

UniqueFd open_file(const std::string& path, int flags, mode_t mode) {
  return UniqueFd(DABBA_SYSCALL(::open(path.c_str(), flags | O_CLOEXEC, mode), path));
}

UniqueFd open_dir(const std::string& path) { return open_file(path, O_RDONLY | O_DIRECTORY); }

void write_all(int fd, const void* data, size_t size) {
  auto* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = DABBA_SYSCALL(::write(fd, p, size));
    p += n;
    size -= static_cast<size_t>(n);
  }
}

std::string read_all(int fd) {
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = DABBA_SYSCALL(::read(fd, buf, sizeof buf));
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

std::string read_file(const std::string& path) {
  UniqueFd fd = open_file(path, O_RDONLY);
  return with_context("read " + path, [&] { return read_all(fd.get()); });
}

bool read_file_if_exists(const std::string& path, std::string& out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return false;
    throw_errno("open " + path);
  }
  UniqueFd owned(fd);
  out = with_context("read " + path, [&] { return read_all(owned.get()); });
  return true;
}

void make_dirs(const std::string& path, mode_t mode) {
  if (path.empty()) return;
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode))
      throw Error(Errc::kAlreadyExists, path + " exists and is not a directory");
    return;
  }
  std::string parent = dirname_of(path);
  if (parent != path) make_dirs(parent, mode);
  if (::mkdir(path.c_str(), mode) != 0 && errno != EEXIST) throw_errno("mkdir " + path);
}

bool path_exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

bool is_regular_file(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::vector<std::string> list_directory(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return out;
  while (struct dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") out.push_back(std::move(n));
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

void fsync_fd(int fd, const std::string& what) { DABBA_SYSCALL(::fsync(fd), what); }

void fsync_dir(const std::string& path) {
  UniqueFd fd = open_file(path, O_RDONLY | O_DIRECTORY);
  fsync_fd(fd.get(), path);
}

void write_file_atomic(const std::string& path, std::string_view data, Sync sync, mode_t mode) {
  static std::atomic<unsigned> counter{0};
  // Unique per process and call: two threads writing the same file each rename a whole one.
  const std::string tmp = path + ".tmp." + std::to_string(::getpid()) + "." +
                          std::to_string(counter.fetch_add(1, std::memory_order_relaxed));
  UniqueFd fd = open_file(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode);
  try {
    write_all(fd.get(), data);
    // The umask may have narrowed mode.
    if (::fchmod(fd.get(), mode) != 0) throw_errno("chmod " + tmp);
    if (sync == Sync::kDurable) fsync_fd(fd.get(), tmp);
    fd.reset();
    if (::rename(tmp.c_str(), path.c_str()) != 0) throw_errno("rename " + tmp + " to " + path);
  } catch (Error& e) {
    ::unlink(tmp.c_str());
    e.add_context("write " + path);
    throw;
  }
  if (sync == Sync::kDurable) fsync_dir(dirname_of(path));
}

namespace {

void remove_tree_at(int parent_fd, const char* name, const std::string& shown) {
  struct stat st;
  if (::fstatat(parent_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return;
    throw_errno("stat " + shown);
  }
  if (!S_ISDIR(st.st_mode)) {
    if (::unlinkat(parent_fd, name, 0) != 0 && errno != ENOENT) throw_errno("unlink " + shown);
    return;
  }
  // A layer may hold directories without write or search permission for their owner.
  // Through an O_PATH fd of the directory itself: a symlink swapped in meanwhile is never
  // followed (fchmodat has no AT_SYMLINK_NOFOLLOW before Linux 6.6).
  if ((st.st_mode & 0700) != 0700) {
    const int dir = ::openat(parent_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dir >= 0) {
      ::chmod(("/proc/self/fd/" + std::to_string(dir)).c_str(), (st.st_mode & 07777) | 0700);
      ::close(dir);
    }
  }
  int fd = ::openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return;
    throw_errno("open " + shown);
  }
  {
    DirStream dir(UniqueFd(fd), shown);
    // Names first: removing entries while readdir walks the directory may skip some.
    std::vector<std::string> names;
    while (const struct dirent* e = dir.next()) names.emplace_back(e->d_name);
    for (const auto& n : names) remove_tree_at(dir.fd(), n.c_str(), shown + "/" + n);
  }
  if (::unlinkat(parent_fd, name, AT_REMOVEDIR) != 0 && errno != ENOENT)
    throw_errno("rmdir " + shown);
}

// blocks: what is allocated (du); else the sizes of what is not a directory (du -b's files).
uint64_t disk_usage_at(int parent_fd, const char* name, bool blocks) {
  struct stat st;
  if (::fstatat(parent_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return 0;
  uint64_t total = blocks                ? static_cast<uint64_t>(st.st_blocks) * 512
                   : S_ISDIR(st.st_mode) ? 0
                                         : static_cast<uint64_t>(st.st_size);
  if (!S_ISDIR(st.st_mode)) return total;
  int fd = ::openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return total;
  try {
    DirStream dir(UniqueFd(fd), name);
    while (const struct dirent* e = dir.next()) total += disk_usage_at(dir.fd(), e->d_name, blocks);
  } catch (const Error&) {
    // du's way: what cannot be read counts as what could be.
  }
  return total;
}

}  // namespace

void remove_tree(const std::string& path) { remove_tree_at(AT_FDCWD, path.c_str(), path); }

void remove_tree_at(int dir_fd, const std::string& name) {
  remove_tree_at(dir_fd, name.c_str(), name);
}

uint64_t disk_usage(const std::string& path) { return disk_usage_at(AT_FDCWD, path.c_str(), true); }

uint64_t content_size(const std::string& path) {
  return disk_usage_at(AT_FDCWD, path.c_str(), false);
}

std::string dirname_of(const std::string& path) {
  auto pos = path.find_last_of('/');
  if (pos == std::string::npos) return ".";
  if (pos == 0) return "/";
  return path.substr(0, pos);
}

std::string basename_of(const std::string& path) {
  auto pos = path.find_last_of('/');
  return pos == std::string::npos ? path : path.substr(pos + 1);
}

TempDir::TempDir(const std::string& parent, const std::string& prefix) {
  std::string templ = parent + "/" + prefix + "XXXXXX";
  if (::mkdtemp(templ.data()) == nullptr) throw_errno("mkdtemp " + templ);
  path_ = std::move(templ);
}

TempDir::TempDir(TempDir&& other) noexcept : path_(std::exchange(other.path_, {})) {}

TempDir::~TempDir() {
  if (path_.empty()) return;
  try {
    remove_tree(path_);
  } catch (...) {
  }
}

std::string TempDir::release() { return std::exchange(path_, {}); }

Pipe Pipe::make(int extra_flags) {
  int fds[2];
  DABBA_SYSCALL(::pipe2(fds, O_CLOEXEC | extra_flags));
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

}  // namespace dabba
