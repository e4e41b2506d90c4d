#include "runner/rootfs_child.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>

#include "common/fault_point.h"
#include "common/dir_stream.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/tree_copy.h"
#include "common/unique_fd.h"
#include "runner/mount_api.h"
#include "runner/overlay.h"
#include "runner/path.h"

namespace dabba::runner {
namespace {

struct Prepared {
  UniqueFd mount;  // detached
  bool is_dir = true;
  bool remount_read_only = false;  // mount_setattr missing or not wanted (MountApi::kLegacy)
};

Prepared prepare(const MountOp& op, MountApi api) {
  Prepared p;
  if (op.kind == MountOp::Kind::kFilesystem) {
    with_context("mount " + op.fstype + " on " + op.target, [&] {
      FsContext fs(op.fstype);
      for (const auto& [key, value] : op.options) {
        if (value.empty())
          fs.set_flag(key);
        else
          fs.set_string(key, value);
      }
      p.mount = fs.create_mount(op.attrs);
    });
  } else if (op.kind == MountOp::Kind::kBind) {
    auto bind = [&] {
      p.mount = clone_mount_tree(op.source, op.recursive);
      struct stat st;
      DABBA_SYSCALL(::fstat(p.mount.get(), &st), op.source);
      p.is_dir = S_ISDIR(st.st_mode);
      if (op.attrs != 0) {
        bool done =
            api != MountApi::kLegacy && set_mount_attrs(p.mount.get(), op.attrs, op.recursive);
        if (!done) {
          if (op.attrs & ~static_cast<uint64_t>(MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
                                                MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC))
            throw Error(Errc::kUnsupported, "mount attributes need mount_setattr (5.12+)");
          p.remount_read_only = (op.attrs & MOUNT_ATTR_RDONLY) != 0;
        }
      }
    };
    if (!op.optional) {
      with_context("bind " + op.source + " on " + op.target, bind);
    } else {
      // A host device the user may not reach: skipped (place() sees no mount).
      try {
        bind();
      } catch (const Error&) {
        p.mount.reset();
      }
    }
  }
  return p;
}

// mkdir -p inside the current root ("/" is the container's after pivot_root), following symlinks
// the way the kernel would, including dangling ones: an image's "/data -> /srv/data" gets
// /srv/data made in the image, as runc does. Returns the resolved path (no symlinks left in it);
// its last component is a directory (want_dir) or does not exist / is not a directory.
std::string resolve_and_make_dirs(const std::string& path, bool want_dir) {
  std::vector<std::string> todo = path_components(path);
  std::reverse(todo.begin(), todo.end());  // a stack: back() is the next component
  std::string cur = "/";
  int links = 0;
  auto join = [](const std::string& dir, const std::string& name) {
    return dir == "/" ? "/" + name : dir + "/" + name;
  };
  while (!todo.empty()) {
    std::string name = todo.back();
    todo.pop_back();
    if (name == ".") continue;
    if (name == "..") {
      cur = dirname_of(cur);
      continue;
    }
    std::string next = join(cur, name);
    struct stat st;
    if (::lstat(next.c_str(), &st) != 0) {
      if (errno != ENOENT) throw_errno("stat " + next);
      if (todo.empty() && !want_dir) return next;
      if (::mkdir(next.c_str(), 0755) != 0 && errno != EEXIST) throw_errno("mkdir " + next);
      cur = next;
      continue;
    }
    if (S_ISLNK(st.st_mode)) {
      if (++links > 40) throw Error(Errc::kFailed, "too many symlinks in " + path, ELOOP);
      char buf[4096];
      ssize_t n = ::readlink(next.c_str(), buf, sizeof buf - 1);
      if (n < 0) throw_errno("readlink " + next);
      std::string target(buf, static_cast<size_t>(n));
      // The link's components go in front of what is left, "." and ".." kept as they are: ".."
      // must step out of the resolved directory, not be folded away lexically.
      std::vector<std::string> parts = split_path(target);
      for (auto it = parts.rbegin(); it != parts.rend(); ++it) todo.push_back(*it);
      if (!target.empty() && target[0] == '/') cur = "/";
      continue;
    }
    if (!S_ISDIR(st.st_mode) && !todo.empty())
      throw Error(Errc::kFailed, "mount point " + path + ": " + next + " is not a directory",
                  ENOTDIR);
    cur = next;
  }
  return cur;
}

// Makes the mount point: a directory, or an empty file for a file bind. Returns the path to mount
// on (symlinks resolved inside the container), or "" when it cannot be made and op.optional says
// that is fine.
std::string make_target(const MountOp& op, bool is_dir) {
  try {
    std::string target = resolve_and_make_dirs(op.target, is_dir);
    // Stacking a mount over the container's root (an image's "/data -> /" symlink, or -v X:/) hides
    // the image from its own workload: refused, as podman does.
    if (target == "/")
      throw Error(Errc::kInvalidArgument,
                  "mount point " + op.target + " resolves to the container's root directory", 0,
                  "mount onto a directory inside the container, not onto its root");
    if (!is_dir) {
      int fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0644);
      if (fd < 0 && errno != EISDIR) throw_errno("create " + target);
      if (fd >= 0) ::close(fd);
    }
    return target;
  } catch (Error& e) {
    if (op.optional && e.code() != Errc::kInvalidArgument) return "";
    if (e.sys_errno() == EROFS)
      e.add_context("mount point " + op.target + " is missing in the read-only root filesystem");
    throw;
  }
}

// The target of a read-only or masked path, resolved inside the container ("" when it does not
// exist: the kernel or the image lacks it).
std::string existing_target(const std::string& path, struct stat* st) {
  char resolved[PATH_MAX];
  if (::realpath(path.c_str(), resolved) == nullptr) {
    if (errno == ENOENT || errno == ENOTDIR) return "";
    throw_errno("resolve " + path);
  }
  if (std::string(resolved) == "/")
    throw Error(Errc::kInvalidArgument, path + " resolves to the container's root directory", 0,
                "mask a path inside the container, not its root");
  DABBA_SYSCALL(::lstat(resolved, st), resolved);
  return resolved;
}

void make_read_only(const MountOp& op, MountApi api) {
  struct stat st;
  std::string target = existing_target(op.target, &st);
  if (target.empty()) return;
  with_context("make " + op.target + " read-only", [&] {
    UniqueFd tree = clone_mount_tree(target, true);
    constexpr uint64_t kAttrs =
        MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
    bool done = api != MountApi::kLegacy && set_mount_attrs(tree.get(), kAttrs, true);
    attach_mount(tree.get(), target);
    if (!done) remount_bind_read_only(target);
  });
}

void mask(const MountOp& op) {
  struct stat st;
  std::string target = existing_target(op.target, &st);
  if (target.empty()) return;
  with_context("mask " + op.target, [&] {
    UniqueFd m;
    if (S_ISDIR(st.st_mode)) {
      FsContext fs("tmpfs");
      m = fs.create_mount(MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
                          MOUNT_ATTR_NOEXEC);
    } else {
      // The container's /dev/null (a bind of the host's): reads are empty, writes vanish.
      m = clone_mount_tree("/dev/null", false);
    }
    attach_mount(m.get(), target);
  });
}

// tmpcopyup: the image's content at target (resolved inside the container) copied into the new,
// still detached filesystem, owners and modes kept.
void copy_up(const std::string& target, int mount, const std::string& what) {
  with_context("copy " + what + " into its tmpfs", [&] {
    UniqueFd from(::open(target.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!from.valid()) throw_errno("open " + target);
    UniqueFd into(::openat(mount, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!into.valid()) throw_errno("open the tmpfs");
    DirStream entries(std::move(from), target);
    while (const struct dirent* e = entries.next()) {
      UniqueFd c(::openat(entries.fd(), e->d_name, O_PATH | O_NOFOLLOW | O_CLOEXEC));
      if (c.valid())
        copy_tree(c.get(), what + "/" + e->d_name, into.get(), e->d_name,
                  TreeCopy{.keep_owner = true});
    }
  });
}

void place(const MountOp& op, Prepared& p, MountApi api) {
  if (op.kind == MountOp::Kind::kReadOnly) return make_read_only(op, api);
  if (op.kind == MountOp::Kind::kMask) return mask(op);
  if (op.kind == MountOp::Kind::kBind && !p.mount.valid()) return;  // an optional bind skipped
  if (op.kind == MountOp::Kind::kSymlink) {
    std::string dir = resolve_and_make_dirs(dirname_of(op.target), true);
    std::string link =
        dir == "/" ? "/" + basename_of(op.target) : dir + "/" + basename_of(op.target);
    if (::symlink(op.source.c_str(), link.c_str()) != 0 && errno != EEXIST)
      throw_errno("symlink " + op.target + " -> " + op.source);
    return;
  }
  std::string target = make_target(op, p.is_dir);
  if (target.empty()) return;
  if (op.copy_up) copy_up(target, p.mount.get(), op.target);
  with_context("mount on " + op.target, [&] { attach_mount(p.mount.get(), target); });
  p.mount.reset();
  if (p.remount_read_only) remount_bind_read_only(target);
}

void pivot_into(const std::string& rootfs) {
  DABBA_SYSCALL(::chdir(rootfs.c_str()), rootfs);
  // pivot_root(".", ".") stacks the old root on top of the new one at "/", so no directory for
  // it is needed inside the image; unmounting "." then takes the old root (the top of the stack)
  // away. MNT_DETACH because the host's mounts are busy; the kernel drops them once unused.
  DABBA_SYSCALL(::syscall(SYS_pivot_root, ".", "."), "pivot_root", rootfs);
  DABBA_SYSCALL(::umount2(".", MNT_DETACH), "detach the old root");
  DABBA_SYSCALL(::chdir("/"));
}

}  // namespace

void setup_rootfs_child(const MountPlan& plan) {
  // Private first: if "/" is shared (systemd makes it so), our mounts would propagate back to the
  // host's namespace, and pivot_root refuses a new root whose parent mount is shared.
  DABBA_SYSCALL(::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr), "make / private");

  fault_point("run-before-overlay");
  with_context("mount the root overlay", [&] { mount_root_overlay(plan); });
  fault_point("run-overlay-mounted");

  // Every mount is created now, detached, while the host's tree is still in this namespace:
  //  - binds need their host sources;
  //  - the kernel allows a new proc or sysfs instance in a user namespace only where one is
  //    already fully visible (mount_too_revealing()), i.e. before the old root goes.
  std::vector<Prepared> prepared;
  prepared.reserve(plan.mounts.size());
  for (const auto& op : plan.mounts) prepared.push_back(prepare(op, plan.api));

  pivot_into(plan.rootfs);

  // From here paths resolve inside the container: an absolute symlink in the image ends in the
  // image, and ".." stops at its root, so targets cannot escape it.
  for (size_t i = 0; i < plan.mounts.size(); ++i) place(plan.mounts[i], prepared[i], plan.api);
  if (plan.read_only) make_root_read_only(plan.api);
}

}  // namespace dabba::runner
