// A directory being read: DirStream owns the DIR* (and its fd) and closes it when it goes out of
// scope, so a listing that throws half-way (a recursive remove, a tree walk) leaks nothing.
#pragma once

#include <dirent.h>

#include <optional>
#include <string>
#include <vector>

#include "common/unique_fd.h"

namespace dabba {

class DirStream {
 public:
  // Throws Error naming path (ENOENT included).
  static DirStream open(const std::string& path);
  // The same, but nullopt when path does not exist.
  static std::optional<DirStream> open_if_exists(const std::string& path);
  // Takes over fd, an open directory (O_DIRECTORY), e.g. from openat(O_NOFOLLOW). Reads from its
  // start. Throws Error naming what.
  DirStream(UniqueFd fd, const std::string& what);
  DirStream(DirStream&& other) noexcept;
  DirStream& operator=(DirStream&&) = delete;
  DirStream(const DirStream&) = delete;
  DirStream& operator=(const DirStream&) = delete;
  ~DirStream();

  // The directory's fd, for *at() calls on the entries.
  int fd() const;
  // The next entry, "." and ".." skipped; nullptr at the end. Valid until the next call.
  const struct dirent* next();

 private:
  explicit DirStream(DIR* dir) : dir_(dir) {}
  DIR* dir_ = nullptr;
};

// The names in dir, "." and ".." left out, in directory order; empty when dir does not exist.
std::vector<std::string> list_dir(const std::string& dir);

}  // namespace dabba
