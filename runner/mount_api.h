// Thin wrappers over the new mount API (fsopen/fsconfig/fsmount, open_tree, move_mount,
// mount_setattr) that throw dabba::Error with the kernel's own explanation: a filesystem context
// keeps error messages ("e overlay: ...") that read(2) on its fd returns; they name the real cause
// far better than EINVAL.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/unique_fd.h"

namespace dabba::runner {

// An fsopen() context being configured. Its log messages are added to every error.
class FsContext {
 public:
  explicit FsContext(const std::string& fstype);
  void set_flag(const std::string& key);
  void set_string(const std::string& key, const std::string& value);
  // Like set_string, but returns the errno (0 on success) instead of throwing: used to probe for
  // parameters an older kernel does not know ("lowerdir+").
  int try_set_string(const std::string& key, const std::string& value);
  // FSCONFIG_CMD_CREATE + fsmount: a detached mount with MOUNT_ATTR_* attrs.
  UniqueFd create_mount(uint64_t attrs);
  const std::string& fstype() const { return fstype_; }
  int fd() const { return fd_.get(); }

 private:
  [[noreturn]] void fail(const std::string& what, int err);
  std::string fstype_;
  UniqueFd fd_;
};

// Drains the messages a filesystem context logged ("overlay: ...; ...").
std::string fs_context_log(int fd);

// open_tree(OPEN_TREE_CLONE): a detached copy of the mount(s) at path.
UniqueFd clone_mount_tree(const std::string& path, bool recursive);

// mount_setattr on a detached tree (fd). Returns false when the kernel lacks the call (ENOSYS:
// before 5.12); throws on other errors.
bool set_mount_attrs(int fd, uint64_t attrs, bool recursive);

// The fallback for set_mount_attrs(RDONLY) on an attached bind mount (one level, not recursive):
// mount(MS_BIND|MS_REMOUNT|MS_RDONLY) keeping the flags the mount already has.
void remount_bind_read_only(const std::string& target);

// move_mount of a detached mount onto target (followed if it is a symlink, inside the current
// root).
void attach_mount(int fd, const std::string& target);

}  // namespace dabba::runner
