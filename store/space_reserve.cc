#include "store/space_reserve.h"

#include <fcntl.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <iterator>

#include "common/no_space.h"
#include "common/unique_fd.h"

namespace dabba {
namespace {

constexpr off_t kReserveBytes = 1 << 20;
constexpr uint64_t kSpareBytes = uint64_t{64} << 20;

std::string reserve_path(const StoreLayout& layout) { return layout.db_dir() + "/space-reserve"; }

}  // namespace

void keep_space_reserve(const StoreLayout& layout) {
  const std::string path = reserve_path(layout);
  if (::access(path.c_str(), F_OK) == 0) return;
  struct statvfs fs;
  if (::statvfs(layout.db_dir().c_str(), &fs) != 0 ||
      uint64_t(fs.f_bavail) * fs.f_frsize < kSpareBytes)
    return;
  const std::string tmp = path + ".tmp";
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!fd.valid()) return;
  // Real blocks (fallocate), not a hole that would free nothing when dropped.
  if (::posix_fallocate(fd.get(), 0, kReserveBytes) != 0 ||
      ::rename(tmp.c_str(), path.c_str()) != 0)
    ::unlink(tmp.c_str());
}

bool release_space_reserve_if_full(const StoreLayout& layout) {
  constexpr long kCopyOnWrite[] = {0x9123683E /* btrfs */, 0x2fc12fc1 /* zfs */,
                                   0xca451a4e /* bcachefs */};
  struct statfs fs;
  const std::string db = layout.db_dir();
  if (::statfs(db.c_str(), &fs) != 0 ||
      std::find(std::begin(kCopyOnWrite), std::end(kCopyOnWrite), fs.f_type) ==
          std::end(kCopyOnWrite) ||
      ::access(reserve_path(layout).c_str(), F_OK) != 0)
    return false;
  return space_probe(db, 4096) != 0 && release_space_reserve(layout);
}

bool release_space_reserve(const StoreLayout& layout) {
  if (::unlink(reserve_path(layout).c_str()) != 0) return false;
  UniqueFd root(::open(layout.root().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (root.valid()) ::syncfs(root.get());
  return true;
}

}  // namespace dabba
