#include "runner/mount_api.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "common/error.h"

namespace dabba::runner {

std::string fs_context_log(int fd) {
  std::string out;
  char buf[1024];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;  // ENODATA: no more messages
    std::string line(buf, static_cast<size_t>(n));
    while (!line.empty() && line.back() == '\n') line.pop_back();
    // Each message starts with "e " (error), "w " (warning) or "i " (info).
    if (line.size() > 2 && line[1] == ' ') line = line.substr(2);
    if (!out.empty()) out += "; ";
    out += line;
  }
  return out;
}

FsContext::FsContext(const std::string& fstype) : fstype_(fstype) {
  fd_.reset(::fsopen(fstype.c_str(), FSOPEN_CLOEXEC));
  if (!fd_.valid()) throw_errno("fsopen " + fstype);
}

void FsContext::fail(const std::string& what, int err) {
  std::string log = fs_context_log(fd_.get());
  throw Error(errc_from_errno(err), fstype_ + ": " + what + (log.empty() ? "" : " (" + log + ")"),
              err);
}

void FsContext::set_flag(const std::string& key) {
  if (::fsconfig(fd_.get(), FSCONFIG_SET_FLAG, key.c_str(), nullptr, 0) != 0)
    fail("set " + key, errno);
}

void FsContext::set_string(const std::string& key, const std::string& value) {
  if (int err = try_set_string(key, value); err != 0) fail("set " + key + "=" + value, err);
}

int FsContext::try_set_string(const std::string& key, const std::string& value) {
  if (::fsconfig(fd_.get(), FSCONFIG_SET_STRING, key.c_str(), value.c_str(), 0) != 0) return errno;
  return 0;
}

UniqueFd FsContext::create_mount(uint64_t attrs) {
  if (::fsconfig(fd_.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0)
    fail("create the filesystem", errno);
  int m = ::fsmount(fd_.get(), FSMOUNT_CLOEXEC, static_cast<unsigned>(attrs));
  if (m < 0) fail("fsmount", errno);
  return UniqueFd(m);
}

UniqueFd clone_mount_tree(const std::string& path, bool recursive) {
  unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0);
  int fd = ::open_tree(AT_FDCWD, path.c_str(), flags);
  if (fd < 0) throw_errno("bind " + path);
  return UniqueFd(fd);
}

bool set_mount_attrs(int fd, uint64_t attrs, bool recursive) {
  struct mount_attr attr = {};
  attr.attr_set = attrs;
  unsigned flags = AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0);
  if (::mount_setattr(fd, "", flags, &attr, sizeof attr) != 0) {
    if (errno == ENOSYS) return false;
    throw_errno("mount_setattr");
  }
  return true;
}

void remount_bind_read_only(const std::string& target) {
  // Mounts that came from a more privileged mount namespace have their nosuid, nodev, noexec and
  // atime flags locked in a user namespace: a remount that would drop one is EPERM. So ask for
  // what the mount already has, plus MS_RDONLY (atime flags are kept by the kernel when none is
  // given).
  struct statvfs st;
  DABBA_SYSCALL(::statvfs(target.c_str(), &st), target);
  unsigned long flags = MS_BIND | MS_REMOUNT | MS_RDONLY;
  if (st.f_flag & ST_NOSUID) flags |= MS_NOSUID;
  if (st.f_flag & ST_NODEV) flags |= MS_NODEV;
  if (st.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
  DABBA_SYSCALL(::mount(nullptr, target.c_str(), nullptr, flags, nullptr), "remount read-only",
                target);
}

void attach_mount(int fd, const std::string& target) {
  DABBA_SYSCALL(::move_mount(fd, "", AT_FDCWD, target.c_str(),
                             MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_SYMLINKS),
                target);
}

}  // namespace dabba::runner
