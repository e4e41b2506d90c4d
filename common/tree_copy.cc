#include "common/tree_copy.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <vector>

#include "common/dir_stream.h"
#include "common/error.h"
#include "common/fs.h"

namespace dabba {
namespace {

void copy_data(int from, int to, const std::string& what) {
  std::vector<char> buf(1 << 17);
  for (;;) {
    ssize_t n = ::read(from, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("read " + what);
    if (n == 0) return;
    write_all(to, buf.data(), static_cast<size_t>(n));
  }
}

void set_owner(int dir, const std::string& name, const struct stat& st, const TreeCopy& how,
               int flags) {
  if (!how.keep_owner) return;
  if (::fchownat(dir, name.c_str(), st.st_uid, st.st_gid, flags) != 0 && errno != EPERM &&
      errno != EINVAL)
    throw_errno("chown " + name);
}

void set_times(int dir, const std::string& name, const struct stat& st, int flags) {
  struct timespec t[2] = {st.st_atim, st.st_mtim};
  ::utimensat(dir, name.c_str(), t, flags);  // best effort, as cp -p on odd filesystems
}

// podman's words for a file in the way of a directory or the other way round, without
// --overwrite.
[[noreturn]] void throw_exists(const std::string& name, const TreeCopy& how, const char* op) {
  throw Error(Errc::kAlreadyExists,
              "error creating \"" + how.dest_label + "/" + name + "\": " + op + " " + name +
                  ": file exists",
              0, "--overwrite replaces a directory by a file and a file by a directory");
}

// A non-directory in the way of the file we write: removed (never followed). A directory there
// goes only with --overwrite.
void clear_entry(int dir, const std::string& name, const TreeCopy& how) {
  struct stat st;
  if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return;
  if (S_ISDIR(st.st_mode)) {
    if (!how.overwrite) throw_exists(name, how, "open");
    remove_tree_at(dir, name);
    return;
  }
  if (::unlinkat(dir, name.c_str(), 0) != 0) throw_errno("replace " + name);
}

void copy_at(int src, const struct stat& st, const std::string& what, int dst_dir,
             const std::string& name, const TreeCopy& how);

void copy_dir(int src_dir, const struct stat& st, const std::string& what, int dst_dir,
              const std::string& name, const TreeCopy& how) {
  struct stat existing;
  bool exists = ::fstatat(dst_dir, name.c_str(), &existing, AT_SYMLINK_NOFOLLOW) == 0;
  if (exists && !S_ISDIR(existing.st_mode)) {
    if (!how.overwrite) throw_exists(name, how, "mkdir");
    if (::unlinkat(dst_dir, name.c_str(), 0) != 0) throw_errno("replace " + name);
    exists = false;
  }
  if (!exists && ::mkdirat(dst_dir, name.c_str(), 0700) != 0) throw_errno("mkdir " + name);
  UniqueFd out(::openat(dst_dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!out.valid()) throw_errno("open " + name);
  UniqueFd in(::openat(src_dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!in.valid()) throw_errno("open " + what);
  DirStream entries(std::move(in), what);
  while (const struct dirent* e = entries.next()) {
    std::string child = e->d_name;
    struct stat cst;
    if (::fstatat(entries.fd(), child.c_str(), &cst, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) continue;  // gone meanwhile (a running container)
      throw_errno("stat " + what + "/" + child);
    }
    UniqueFd c(::openat(entries.fd(), child.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!c.valid()) {
      if (errno == ENOENT) continue;
      throw_errno("open " + what + "/" + child);
    }
    TreeCopy below = how;
    below.dest_label += "/" + name;
    copy_at(c.get(), cst, what + "/" + child, out.get(), child, below);
  }
  set_owner(dst_dir, name, st, how, AT_SYMLINK_NOFOLLOW);
  if (::fchmod(out.get(), st.st_mode & 07777) != 0) throw_errno("chmod " + name);
  set_times(dst_dir, name, st, AT_SYMLINK_NOFOLLOW);
}

// src: an O_PATH fd of the object (never a followed symlink below the starting point).
void copy_at(int src, const struct stat& st, const std::string& what, int dst_dir,
             const std::string& name, const TreeCopy& how) {
  if (S_ISDIR(st.st_mode)) {
    // Reopened through our own fd: the object itself, whatever now sits at its name.
    UniqueFd dir(::openat(src, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir.valid()) throw_errno("open " + what);
    copy_dir(dir.get(), st, what, dst_dir, name, how);
    return;
  }
  // What is never written leaves the destination as it is.
  if (S_ISSOCK(st.st_mode) || (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0))) return;
  clear_entry(dst_dir, name, how);
  if (S_ISREG(st.st_mode)) {
    UniqueFd in = open_file("/proc/self/fd/" + std::to_string(src), O_RDONLY);
    UniqueFd out(::openat(dst_dir, name.c_str(),
                          O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!out.valid()) throw_errno("create " + name);
    copy_data(in.get(), out.get(), what);
    if (how.keep_owner && ::fchown(out.get(), st.st_uid, st.st_gid) != 0 && errno != EPERM)
      throw_errno("chown " + name);
    if (::fchmod(out.get(), st.st_mode & 07777) != 0) throw_errno("chmod " + name);
    struct timespec t[2] = {st.st_atim, st.st_mtim};
    ::futimens(out.get(), t);
    return;
  }
  if (S_ISLNK(st.st_mode)) {
    std::string target(PATH_MAX, '\0');
    ssize_t n = ::readlinkat(src, "", target.data(), target.size());
    if (n < 0) throw_errno("readlink " + what);
    target.resize(static_cast<size_t>(n));
    if (::symlinkat(target.c_str(), dst_dir, name.c_str()) != 0) throw_errno("symlink " + name);
  } else if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) {
    return;  // an overlay whiteout: written into a container it would hide the image's file
  } else if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
    // Devices need privileges a rootless copy lacks (and a 0:0 one is a whiteout): skipped.
    if (::mknodat(dst_dir, name.c_str(), st.st_mode, st.st_rdev) != 0) return;
  } else {
    return;  // sockets
  }
  set_owner(dst_dir, name, st, how, AT_SYMLINK_NOFOLLOW);
  set_times(dst_dir, name, st, AT_SYMLINK_NOFOLLOW);
}

}  // namespace

void copy_tree(int src, const std::string& what, int dst_dir, const std::string& name,
               const TreeCopy& how) {
  struct stat st;
  if (::fstat(src, &st) != 0) throw_errno("stat " + what);
  copy_at(src, st, what, dst_dir, name, how);
}

}  // namespace dabba
