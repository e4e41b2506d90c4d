#include "common/no_space.h"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <vector>

#include "common/human.h"
#include "common/unique_fd.h"

namespace dabba {

bool is_no_space(const Error& e) { return e.sys_errno() == ENOSPC || e.sys_errno() == EDQUOT; }

Error explain_no_space(const Error& e, const std::string& path, const std::string& needed) {
  const std::string kFree = " free there", kUsedUp = " is used up";  // an explained message's
  const std::string_view what = e.what();
  if (!is_no_space(e) || what.find(kFree) != what.npos || what.find(kUsedUp) != what.npos) return e;
  const bool quota = e.sys_errno() == EDQUOT;
  // Under a quota, what the filesystem has free says nothing.
  std::string detail = quota ? " (the disk quota for " + path + kUsedUp
                             : " (the filesystem of " + path + " is full";
  struct statvfs fs;
  if (!quota && ::statvfs(path.c_str(), &fs) == 0)
    detail += ": " + human_size(uint64_t(fs.f_bavail) * fs.f_frsize) + kFree;
  if (!needed.empty()) detail += "; " + needed;
  detail += ")";
  Error out = e;  // the errno stays: callers still tell a full disk from other failures
  out.add_detail(detail);
  out.set_hint(quota ? "ask for a larger quota, or free space under " + path
                     : "free space on that filesystem (dabba gc, dabba system prune), or put the "
                       "store elsewhere with --root");
  return out;
}

bool nearly_full(const std::string& path) {
  struct statvfs fs;
  if (::statvfs(path.c_str(), &fs) != 0 || fs.f_blocks == 0) return false;
  const uint64_t avail = uint64_t(fs.f_bavail) * fs.f_frsize;
  return avail < (64u << 20) || fs.f_bavail * 100 < fs.f_blocks;
}

int space_probe(const std::string& dir, size_t bytes) {
  UniqueFd fd(::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600));
  if (!fd.valid()) {
    std::string path = dir + "/.space-probe-XXXXXX";
    fd = UniqueFd(::mkostemp(path.data(), O_CLOEXEC));
    if (!fd.valid()) return errno == ENOSPC || errno == EDQUOT ? errno : 0;
    ::unlink(path.c_str());
  }
  int rc = ::posix_fallocate(fd.get(), 0, static_cast<off_t>(bytes));
  if (rc == EOPNOTSUPP || rc == EINVAL) {  // no fallocate here: write them
    const std::vector<char> zeros(std::min<size_t>(bytes, 64 * 1024));
    rc = 0;
    for (size_t done = 0; done < bytes && rc == 0;) {
      const ssize_t n = ::write(fd.get(), zeros.data(), std::min(zeros.size(), bytes - done));
      if (n < 0 && errno != EINTR) rc = errno;
      if (n == 0) rc = ENOSPC;  // nothing more fits
      if (n > 0) done += static_cast<size_t>(n);
    }
  }
  return rc == ENOSPC || rc == EDQUOT ? rc : 0;
}

int space_errno_behind_eio(const std::string& dir) {
  if (nearly_full(dir)) return ENOSPC;
  const int rc = space_probe(dir, 1 << 20);
  return rc != 0 ? rc : EIO;
}

}  // namespace dabba
