// flock(2) locks on files (the store's locks/, the networks' namespace's lock files). flock
// conflicts between separate open()s even within one process, so the same lock serialises threads
// and processes alike. Lock files may be deleted by gc; acquire() re-checks after locking that the
// file it holds is still the one at the path. Released by an explicit unlock, so a child forked
// while it was held (which shares the open file) does not keep it.
#pragma once

#include <optional>
#include <string>

#include "common/unique_fd.h"

namespace dabba {

class FileLock {
 public:
  enum class Mode { kShared, kExclusive };

  FileLock() = default;
  FileLock(FileLock&&) noexcept = default;
  FileLock& operator=(FileLock&& other) noexcept;
  ~FileLock() { release(); }

  // Blocks until the lock is held. Creates the file if missing.
  static FileLock acquire(const std::string& path, Mode mode);
  // Returns nothing when another holder has it.
  static std::optional<FileLock> try_acquire(const std::string& path, Mode mode);

  bool held() const { return fd_.valid(); }
  void release() noexcept;
  // Unlinks the lock file while holding it (for gc); a waiter then retries on a fresh file.
  void remove();

 private:
  static std::optional<FileLock> lock(const std::string& path, Mode mode, bool wait);
  UniqueFd fd_;
  std::string path_;
};

}  // namespace dabba
