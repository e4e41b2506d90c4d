#include "common/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"

namespace dabba {

std::optional<FileLock> FileLock::lock(const std::string& path, Mode mode, bool wait) {
  int op = (mode == Mode::kShared ? LOCK_SH : LOCK_EX) | (wait ? 0 : LOCK_NB);
  for (;;) {
    UniqueFd fd(DABBA_SYSCALL(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600), path));
    if (::flock(fd.get(), op) != 0) {
      if (errno == EINTR) continue;
      if (errno == EWOULDBLOCK && !wait) return std::nullopt;
      throw_errno("flock " + path);
    }
    // gc may have unlinked the file while we waited: then we hold a lock nobody else can see.
    struct stat held, now;
    DABBA_SYSCALL(::fstat(fd.get(), &held), path);
    if (::stat(path.c_str(), &now) == 0 && now.st_ino == held.st_ino && now.st_dev == held.st_dev) {
      FileLock out;
      out.fd_ = std::move(fd);
      out.path_ = path;
      return out;
    }
  }
}

FileLock FileLock::acquire(const std::string& path, Mode mode) {
  return std::move(*lock(path, mode, true));
}

std::optional<FileLock> FileLock::try_acquire(const std::string& path, Mode mode) {
  return lock(path, mode, false);
}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    release();
    fd_ = std::move(other.fd_);
    path_ = std::move(other.path_);
  }
  return *this;
}

void FileLock::release() noexcept {
  if (!fd_.valid()) return;
  ::flock(fd_.get(), LOCK_UN);
  fd_.reset();
}

void FileLock::remove() {
  if (!fd_.valid()) return;
  ::unlink(path_.c_str());
  release();
}

}  // namespace dabba
