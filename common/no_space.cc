#include "common/no_space.h"

#include <sys/statvfs.h>

#include "common/human.h"

namespace dabba {

bool is_no_space(const Error& e) { return e.sys_errno() == ENOSPC || e.sys_errno() == EDQUOT; }

Error explain_no_space(const Error& e, const std::string& path, const std::string& needed) {
  const std::string kFree = " free there";  // what an explained message carries
  if (!is_no_space(e) || std::string_view(e.what()).find(kFree) != std::string_view::npos) return e;
  const bool quota = e.sys_errno() == EDQUOT;
  std::string detail = quota ? " (the disk quota for " + path + " is used up"
                             : " (the filesystem of " + path + " is full";
  struct statvfs fs;
  if (::statvfs(path.c_str(), &fs) == 0)
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

}  // namespace dabba
