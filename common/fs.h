// File helpers with explicit durability: write to a temp file, fsync, rename, fsync the directory.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "common/unique_fd.h"

namespace dabba {

// open(2) with O_CLOEXEC; throws Error naming the path.
UniqueFd open_file(const std::string& path, int flags, mode_t mode = 0644);
UniqueFd open_dir(const std::string& path);

// Writes all of data, retrying short writes and EINTR.
void write_all(int fd, const void* data, size_t size);
inline void write_all(int fd, std::string_view data) { write_all(fd, data.data(), data.size()); }
// Reads until EOF.
std::string read_all(int fd);
std::string read_file(const std::string& path);
// Returns false (and leaves out untouched) when the file does not exist.
bool read_file_if_exists(const std::string& path, std::string& out);

// mkdir -p; existing directories are fine.
void make_dirs(const std::string& path, mode_t mode = 0755);
bool path_exists(const std::string& path);
// True for a regular file (following symlinks).
bool is_regular_file(const std::string& path);
// The names in directory dir (not "." and ".."), in byte order; empty when it cannot be read.
std::vector<std::string> list_directory(const std::string& dir);

void fsync_fd(int fd, const std::string& what);
void fsync_dir(const std::string& path);

// What write_file_atomic promises after a power cut.
enum class Sync {
  kNone,     // atomic only: a reader sees the old file or the new one (state that describes live
             // processes, which a power cut ends anyway)
  kDurable,  // and durable: fsync the file before the rename, the directory after it
};
// Writes a temp file beside path (mode), then renames it over path. A failure at any step
// (a short disk, EIO, the rename) removes the temp file again and throws Error naming the path.
void write_file_atomic(const std::string& path, std::string_view data, Sync sync,
                       mode_t mode = 0644);

// rm -rf that also copes with directories lacking write/exec permission. Missing path is fine.
void remove_tree(const std::string& path);
// The same for the entry name inside the directory dir_fd (not following a symlink at name).
void remove_tree_at(int dir_fd, const std::string& name);
// Total bytes allocated under path (du), not following symlinks.
uint64_t disk_usage(const std::string& path);
// The sizes of the files, links and other non-directories under path (podman's volume sizes).
uint64_t content_size(const std::string& path);

std::string dirname_of(const std::string& path);
std::string basename_of(const std::string& path);

// A directory removed (recursively) when this goes out of scope, unless release()d.
class TempDir {
 public:
  // Creates parent/prefixXXXXXX.
  TempDir(const std::string& parent, const std::string& prefix);
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&&) = delete;
  TempDir(const TempDir&) = delete;
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string release();

 private:
  std::string path_;
};

}  // namespace dabba
