#include "common/dir_stream.h"

#include <fcntl.h>

#include <utility>

#include "common/error.h"

namespace dabba {

DirStream DirStream::open(const std::string& path) {
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) throw_errno("open directory " + path);
  return DirStream(dir);
}

DirStream::DirStream(UniqueFd fd, const std::string& what) {
  dir_ = ::fdopendir(fd.get());
  if (dir_ == nullptr) throw_errno("open directory " + what);
  fd.release();  // the DIR owns it now
  // A duplicated fd shares its offset with the original, which may have been read already.
  ::rewinddir(dir_);
}

DirStream::DirStream(DirStream&& other) noexcept : dir_(std::exchange(other.dir_, nullptr)) {}

DirStream::~DirStream() {
  if (dir_ != nullptr) ::closedir(dir_);
}

int DirStream::fd() const { return ::dirfd(dir_); }

const struct dirent* DirStream::next() {
  while (const struct dirent* e = ::readdir(dir_)) {
    const char* n = e->d_name;
    if (n[0] == '.' && (n[1] == '\0' || (n[1] == '.' && n[2] == '\0'))) continue;
    return e;
  }
  return nullptr;
}

std::optional<DirStream> DirStream::open_if_exists(const std::string& path) {
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) {
    if (errno == ENOENT) return std::nullopt;
    throw_errno("open directory " + path);
  }
  return DirStream(dir);
}

std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> out;
  if (std::optional<DirStream> stream = DirStream::open_if_exists(dir))
    while (const struct dirent* e = stream->next()) out.emplace_back(e->d_name);
  return out;
}

}  // namespace dabba
