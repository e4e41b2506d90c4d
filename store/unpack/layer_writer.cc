#include "store/unpack/layer_writer.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>

#include "common/error.h"
#include "common/fs.h"
#include "common/log.h"
#include "store/unpack/entry_path.h"

namespace dabba {
namespace {

constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";
constexpr std::string_view kWhiteoutMetaPrefix = ".wh..wh.";
constexpr const char* kOpaqueXattr = "user.overlay.opaque";

[[noreturn]] void fail(Errc code, const std::string& path, const std::string& what, int err = 0) {
  throw Error(code, path.empty() ? "/: " + what : path + ": " + what, err);
}

[[noreturn]] void fail_errno(const std::string& path, const std::string& op, int err = errno) {
  throw_errno(op + " " + (path.empty() ? "/" : path), err);
}

// openat2 beneath dir_fd: "..", absolute symlinks and symlinks leading out all fail with EXDEV.
int openat2_beneath(int dir_fd, const char* path, uint64_t flags, uint64_t extra_resolve = 0) {
  struct open_how how;
  std::memset(&how, 0, sizeof how);
  how.flags = flags | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | extra_resolve;
  for (;;) {
    long fd = ::syscall(SYS_openat2, dir_fd, path, &how, sizeof how);
    if (fd >= 0 || errno != EINTR) return static_cast<int>(fd);
  }
}

mode_t read_umask() {
  std::string status;
  if (read_file_if_exists("/proc/self/status", status)) {
    auto pos = status.find("Umask:");
    if (pos != std::string::npos)
      return static_cast<mode_t>(std::strtoul(&status[pos + 6], nullptr, 8));
  }
  return 022;
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

void pwrite_all(int fd, const void* data, size_t size, off_t offset, const std::string& path) {
  auto* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::pwrite(fd, p, size, offset);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail_errno(path, "write");
    }
    p += n;
    size -= static_cast<size_t>(n);
    offset += n;
  }
}

// chmod that never follows a symlink at name. fchmodat2 (Linux 6.6) honours AT_SYMLINK_NOFOLLOW;
// older kernels get plain fchmodat, safe here because the caller just created name itself.
void chmod_nofollow(int dir_fd, const std::string& name, mode_t mode, const std::string& path) {
#ifndef SYS_fchmodat2
  constexpr long SYS_fchmodat2 = 452;
#endif
  if (::syscall(SYS_fchmodat2, dir_fd, name.c_str(), mode, AT_SYMLINK_NOFOLLOW) == 0) return;
  if (errno != ENOSYS) fail_errno(path, "chmod");
  if (::fchmodat(dir_fd, name.c_str(), mode, 0) != 0) fail_errno(path, "chmod");
}

// "0-65536" rather than "0-0,1-65536": adjacent ranges merged, for messages.
std::string describe_ids(std::vector<IdMapping> ranges) {
  std::sort(ranges.begin(), ranges.end(),
            [](const IdMapping& a, const IdMapping& b) { return a.inside < b.inside; });
  std::vector<IdMapping> merged;
  for (const auto& r : ranges) {
    if (!merged.empty() && uint64_t(merged.back().inside) + merged.back().count == r.inside)
      merged.back().count += r.count;
    else
      merged.push_back(r);
  }
  return IdMap::describe(merged);
}

// The error for an entry at PATH whose ROLE ("owner" or "group") ID, a KIND ("uid" or "gid"), is
// outside the user namespace's MAPPED ranges.
Error unmapped_id(const std::string& path, const std::string& role, const std::string& kind,
                  la_int64_t id, const std::vector<IdMapping>& mapped) {
  return Error(
      Errc::kPermission,
      (path.empty() ? std::string("/") : path) + ": " + role + " " + kind + " " +
          std::to_string(id) + " is not mapped in this user namespace (mapped " + kind +
          "s: " + describe_ids(mapped) + ")",
      0, "give the user a larger range in /etc/sub" + kind + " (65536 ids is the usual size)");
}

std::atomic<bool> g_device_warning_given{false};
std::atomic<bool> g_capability_warning_given{false};

}  // namespace

LayerWriter::LayerWriter(int root_fd, IdMap ids)
    : root_(DABBA_SYSCALL(::fcntl(root_fd, F_DUPFD_CLOEXEC, 0))),
      ids_(std::move(ids)),
      euid_(::geteuid()),
      egid_(::getegid()),
      umask_(read_umask()) {
  struct stat st;
  DABBA_SYSCALL(::fstat(root_.get(), &st), "layer root");
  root_setgid_ = (st.st_mode & S_ISGID) != 0;
  root_gid_ = st.st_gid;
}

LayerWriter::~LayerWriter() = default;

void LayerWriter::write_entry(struct archive* a, struct archive_entry* e) {
  const char* raw = archive_entry_pathname(e);
  if (raw == nullptr) raw = archive_entry_pathname_utf8(e);
  if (raw == nullptr) throw Error(Errc::kCorrupt, "a tar entry has no name");
  std::string path = clean_entry_path(raw);
  write_entry_at(path, a, e);  // every error names the entry itself
}

LayerWriter::Owner LayerWriter::checked_owner(const std::string& path,
                                              struct archive_entry* e) const {
  la_int64_t uid = archive_entry_uid(e), gid = archive_entry_gid(e);
  if (uid < 0 || uid > 0xfffffffe || !ids_.maps_uid(static_cast<uint32_t>(uid)))
    throw unmapped_id(path, "owner", "uid", uid, ids_.uids);
  if (gid < 0 || gid > 0xfffffffe || !ids_.maps_gid(static_cast<uint32_t>(gid)))
    throw unmapped_id(path, "group", "gid", gid, ids_.gids);
  return {static_cast<uid_t>(uid), static_cast<gid_t>(gid)};
}

void LayerWriter::write_entry_at(const std::string& path, struct archive* a,
                                 struct archive_entry* e) {
  Times t{archive_entry_mtime(e), archive_entry_mtime_nsec(e), archive_entry_mtime(e),
          archive_entry_mtime_nsec(e)};
  if (archive_entry_atime_is_set(e)) {
    t.atime_sec = archive_entry_atime(e);
    t.atime_nsec = archive_entry_atime_nsec(e);
  }
  const mode_t mode = archive_entry_perm(e) & 07777;
  const char* hardlink = archive_entry_hardlink(e);
  const mode_t type = archive_entry_filetype(e);

  if (path.empty()) {
    if (hardlink != nullptr || type != AE_IFDIR)
      fail(Errc::kCorrupt, path, "the root is not a directory");
    Owner owner = checked_owner(path, e);
    write_dir(Parent{root_.get(), false, 0}, "", path, mode, owner, t, e);
    return;
  }

  SplitPath sp = split_entry_path(path);
  if (starts_with(sp.name, kWhiteoutPrefix)) {
    Owner owner = checked_owner(path, e);
    Parent p = parent_dir(sp.parent);
    if (sp.name == kOpaqueMarker) {
      if (::fsetxattr(p.fd, kOpaqueXattr, "y", 1, 0) != 0)
        fail_errno(sp.parent, std::string("set ") + kOpaqueXattr + " on");
      ++stats_.opaques;
      return;
    }
    if (starts_with(sp.name, kWhiteoutMetaPrefix))
      fail(Errc::kCorrupt, path,
           "unsupported whiteout metadata entry (only .wh..wh..opq is known)");
    std::string target = sp.name.substr(kWhiteoutPrefix.size());
    if (target.empty() || target == "." || target == "..")
      fail(Errc::kCorrupt, path, "whiteout without a valid name");
    write_whiteout(p, target, sp.parent.empty() ? target : sp.parent + "/" + target, owner, t);
    return;
  }

  if (hardlink != nullptr) {
    Parent p = parent_dir(sp.parent);
    write_hardlink(p, sp.name, path, hardlink);
    return;
  }
  Owner owner = checked_owner(path, e);
  Parent p = parent_dir(sp.parent);
  switch (type) {
    case AE_IFREG:
      write_file(p, sp.name, path, mode, owner, t, a, e);
      break;
    case AE_IFDIR:
      write_dir(p, sp.name, path, mode, owner, t, e);
      break;
    case AE_IFLNK: {
      const char* target = archive_entry_symlink(e);
      if (target == nullptr) target = archive_entry_symlink_utf8(e);
      if (target == nullptr || *target == '\0')
        fail(Errc::kCorrupt, path, "symlink without a target");
      write_symlink(p, sp.name, path, target, owner, t);
      break;
    }
    case AE_IFIFO:
      write_special(p, sp.name, path, S_IFIFO, mode, 0, owner, t);
      break;
    case AE_IFCHR:
    case AE_IFBLK:
      write_special(p, sp.name, path, type == AE_IFCHR ? S_IFCHR : S_IFBLK, mode,
                    archive_entry_rdev(e), owner, t);
      break;
    default:
      fail(Errc::kCorrupt, path, "unsupported entry type " + std::to_string(type));
  }
}

UniqueFd LayerWriter::open_dir_beneath(const std::string& path, bool create) {
  auto explain = [&](const std::string& shown, int err) -> void {
    if (err == EXDEV)
      fail(Errc::kCorrupt, shown, "resolves outside the layer (through a symlink)", err);
    if (err == ELOOP) fail(Errc::kCorrupt, shown, "too many levels of symlinks", err);
    if (err == ENOTDIR) fail(Errc::kCorrupt, shown, "a parent is not a directory", err);
    fail_errno(shown, "open directory", err);
  };
  if (path.empty()) return UniqueFd(DABBA_SYSCALL(::fcntl(root_.get(), F_DUPFD_CLOEXEC, 0)));
  int fd = openat2_beneath(root_.get(), path.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd >= 0) return UniqueFd(fd);
  if (errno != ENOENT || !create) explain(path, errno);
  // Missing parents: create them one component at a time (0755, owned by the unpacking user),
  // each new prefix opened beneath the root again.
  UniqueFd cur(DABBA_SYSCALL(::fcntl(root_.get(), F_DUPFD_CLOEXEC, 0)));
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    std::string comp = path.substr(i, j - i);
    std::string prefix = path.substr(0, j);
    i = j + 1;
    int next = openat2_beneath(root_.get(), prefix.c_str(), O_RDONLY | O_DIRECTORY);
    if (next < 0 && errno == ENOENT) {
      if (::mkdirat(cur.get(), comp.c_str(), 0755) != 0 && errno != EEXIST)
        fail_errno(prefix, "mkdir");
      next = openat2_beneath(root_.get(), prefix.c_str(), O_RDONLY | O_DIRECTORY);
      if (next >= 0) ::fchmod(next, 0755);  // undo the umask
    }
    if (next < 0) explain(prefix, errno);
    cur.reset(next);
  }
  return cur;
}

LayerWriter::Parent LayerWriter::parent_dir(const std::string& parent) {
  if (parent.empty()) return {root_.get(), root_setgid_, root_gid_};
  if (cache_stale_) {
    cached_.reset();
    cache_stale_ = false;
  }
  if (cached_.valid() && parent == cached_path_)
    return {cached_.get(), cached_setgid_, cached_gid_};
  cached_ = open_dir_beneath(parent, true);
  cached_path_ = parent;
  struct stat st;
  DABBA_SYSCALL(::fstat(cached_.get(), &st), parent);
  cached_setgid_ = (st.st_mode & S_ISGID) != 0;
  cached_gid_ = st.st_gid;
  return {cached_.get(), cached_setgid_, cached_gid_};
}

// Makes room for a new non-directory entry at name: an entry replaces an earlier one of the same
// path; a directory it replaces goes with its contents.
void LayerWriter::clear_name(int dir_fd, const std::string& name, const std::string& path) {
  struct stat st;
  if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return;
    fail_errno(path, "stat");
  }
  if (S_ISDIR(st.st_mode)) {
    forget_parent();  // the cached parent may lie inside what goes
    for (auto it = dir_fixups_.begin(); it != dir_fixups_.end();) {
      bool inside = it->first == path || starts_with(it->first, path + "/");
      it = inside ? dir_fixups_.erase(it) : std::next(it);
    }
    remove_tree_at(dir_fd, name);
    return;
  }
  if (S_ISLNK(st.st_mode)) forget_parent();  // the cached path may have resolved through it
  if (::unlinkat(dir_fd, name.c_str(), 0) != 0 && errno != ENOENT) fail_errno(path, "unlink");
}

bool LayerWriter::needs_chown(const Parent& p, Owner owner) const {
  gid_t created_gid = p.setgid ? p.gid : egid_;
  return owner.uid != euid_ || owner.gid != created_gid;
}

void LayerWriter::chown_nofollow(const Parent& p, const std::string& name, const std::string& path,
                                 Owner owner, const char* what) const {
  if (needs_chown(p, owner) &&
      ::fchownat(p.fd, name.c_str(), owner.uid, owner.gid, AT_SYMLINK_NOFOLLOW) != 0)
    fail_errno(path, what);
}

void LayerWriter::set_times_nofollow(const Parent& p, const std::string& name,
                                     const std::string& path, const Times& t) {
  struct timespec ts[2] = {{t.atime_sec, t.atime_nsec}, {t.mtime_sec, t.mtime_nsec}};
  if (::utimensat(p.fd, name.c_str(), ts, AT_SYMLINK_NOFOLLOW) != 0)
    fail_errno(path, "set times of");
}

void LayerWriter::write_file(const Parent& p, const std::string& name, const std::string& path,
                             mode_t mode, Owner owner, const Times& t, struct archive* a,
                             struct archive_entry* e) {
  const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
  int fd = ::openat(p.fd, name.c_str(), flags, mode & 0777);
  if (fd < 0 && errno == EEXIST) {
    clear_name(p.fd, name, path);
    fd = ::openat(p.fd, name.c_str(), flags, mode & 0777);
  }
  if (fd < 0) fail_errno(path, "create");
  UniqueFd out(fd);

  off_t end = 0;
  for (;;) {
    const void* buf;
    size_t size;
    la_int64_t offset;
    int r = archive_read_data_block(a, &buf, &size, &offset);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN)
      fail(Errc::kCorrupt, path, std::string("read data: ") + archive_error_string(a));
    if (size == 0) continue;
    pwrite_all(fd, buf, size, offset, path);  // offsets jump over holes of sparse entries
    end = std::max<off_t>(end, offset + static_cast<off_t>(size));
  }
  la_int64_t declared = archive_entry_size(e);
  if (declared > end && ::ftruncate(fd, declared) != 0) fail_errno(path, "truncate");
  stats_.file_bytes += static_cast<uint64_t>(std::max<la_int64_t>(declared, end));

  bool chowned = needs_chown(p, owner);
  if (chowned && ::fchown(fd, owner.uid, owner.gid) != 0) fail_errno(path, "chown");
  // chown clears setuid/setgid, and open() applied the umask: set the exact mode last.
  if ((mode & 07000) != 0 || (mode & 0777 & ~umask_) != (mode & 0777))
    if (::fchmod(fd, mode) != 0) fail_errno(path, "chmod");
  apply_xattrs(fd, path, e);  // after chown and the data: both clear security.capability
  struct timespec ts[2] = {{t.atime_sec, t.atime_nsec}, {t.mtime_sec, t.mtime_nsec}};
  if (::futimens(fd, ts) != 0) fail_errno(path, "set times of");
  ++stats_.files;
}

void LayerWriter::write_dir(const Parent& p, const std::string& name, const std::string& path,
                            mode_t mode, Owner owner, const Times& t, struct archive_entry* e) {
  UniqueFd dir;
  if (path.empty()) {
    dir.reset(DABBA_SYSCALL(::fcntl(root_.get(), F_DUPFD_CLOEXEC, 0)));
    root_seen_ = true;
  } else {
    if (::mkdirat(p.fd, name.c_str(), 0700) != 0) {
      if (errno != EEXIST) fail_errno(path, "mkdir");
      struct stat st;
      if (::fstatat(p.fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) fail_errno(path, "stat");
      if (!S_ISDIR(st.st_mode)) {  // an existing directory is kept (merged); anything else goes
        clear_name(p.fd, name, path);
        if (::mkdirat(p.fd, name.c_str(), 0700) != 0) fail_errno(path, "mkdir");
      }
    }
    int fd = ::openat(p.fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) fail_errno(path, "open directory");
    dir.reset(fd);
  }
  if (needs_chown(p, owner) || path.empty())
    if (::fchown(dir.get(), owner.uid, owner.gid) != 0) fail_errno(path, "chown");
  apply_xattrs(dir.get(), path, e);
  dir_fixups_[path] = DirFixup{mode, t};
  ++stats_.dirs;
}

void LayerWriter::write_symlink(const Parent& p, const std::string& name, const std::string& path,
                                const char* target, Owner owner, const Times& t) {
  if (::symlinkat(target, p.fd, name.c_str()) != 0) {
    if (errno != EEXIST) fail_errno(path, "symlink");
    clear_name(p.fd, name, path);
    if (::symlinkat(target, p.fd, name.c_str()) != 0) fail_errno(path, "symlink");
  }
  chown_nofollow(p, name, path, owner, "chown");
  set_times_nofollow(p, name, path, t);
  ++stats_.symlinks;
}

void LayerWriter::write_hardlink(const Parent& p, const std::string& name, const std::string& path,
                                 const char* raw_target) {
  std::string target =
      with_context("hardlink target", [&] { return clean_entry_path(raw_target); });
  if (target.empty()) fail(Errc::kCorrupt, path, "hardlink to the layer root");
  SplitPath tp = split_entry_path(target);
  // The target's parent is resolved beneath the root like any path (its own fd: the cached
  // parent stays valid for the next entry).
  UniqueFd tdir =
      with_context("hardlink target " + target, [&] { return open_dir_beneath(tp.parent, false); });
  for (int attempt = 0;; ++attempt) {
    if (::linkat(tdir.get(), tp.name.c_str(), p.fd, name.c_str(), 0) == 0) break;
    int err = errno;
    if (err == ENOENT) fail(Errc::kCorrupt, path, "hardlink target " + target + " does not exist");
    if (err == EPERM)
      fail(Errc::kCorrupt, path, "hardlink target " + target + " is a directory", err);
    if (err != EEXIST || attempt > 0) fail_errno(path, "link to " + target, err);
    struct stat have, want;
    if (::fstatat(p.fd, name.c_str(), &have, AT_SYMLINK_NOFOLLOW) == 0 &&
        ::fstatat(tdir.get(), tp.name.c_str(), &want, AT_SYMLINK_NOFOLLOW) == 0 &&
        have.st_ino == want.st_ino && have.st_dev == want.st_dev)
      break;  // already the same file
    clear_name(p.fd, name, path);
  }
  ++stats_.hardlinks;
}

void LayerWriter::write_special(const Parent& p, const std::string& name, const std::string& path,
                                mode_t type, mode_t mode, dev_t dev, Owner owner, const Times& t) {
  auto make = [&] { return ::mknodat(p.fd, name.c_str(), type | (mode & 0777), dev); };
  int rc = make();
  if (rc != 0 && errno == EEXIST) {
    clear_name(p.fd, name, path);
    rc = make();
  }
  if (rc != 0) {
    if (errno == EPERM && type != S_IFIFO) {
      // Only real root may create devices; rootless, a layer's /dev entries are skipped (the
      // runner gives containers their own /dev anyway).
      ++stats_.skipped_devices;
      if (!g_device_warning_given.exchange(true))
        log_warn(
            "device nodes in image layers are skipped: creating them needs real root (first: " +
            path + ")");
      return;
    }
    fail_errno(path, "mknod");
  }
  chown_nofollow(p, name, path, owner, "chown");
  if ((mode & 07000) != 0 || (mode & 0777 & ~umask_) != (mode & 0777))
    chmod_nofollow(p.fd, name, mode, path);
  set_times_nofollow(p, name, path, t);
  ++stats_.specials;
}

void LayerWriter::write_whiteout(const Parent& p, const std::string& target,
                                 const std::string& path, Owner owner, const Times& t) {
  // An overlay whiteout: character device 0:0 (unprivileged mknod allows exactly this one).
  auto make = [&] { return ::mknodat(p.fd, target.c_str(), S_IFCHR, makedev(0, 0)); };
  if (make() != 0) {
    if (errno != EEXIST) fail_errno(path, "create whiteout");
    clear_name(p.fd, target, path);
    if (make() != 0) fail_errno(path, "create whiteout");
  }
  chown_nofollow(p, target, path, owner, "chown whiteout");
  set_times_nofollow(p, target, path, t);
  ++stats_.whiteouts;
}

void LayerWriter::apply_xattrs(int fd, const std::string& path, struct archive_entry* e) {
  if (archive_entry_xattr_reset(e) == 0) return;
  const char* name;
  const void* value;
  size_t size;
  while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
    std::string_view n = name;
    // user.overlay.* would let a layer forge overlay metadata (opacity, redirects): only
    // .wh..wh..opq may make a directory opaque. Other namespaces (trusted, security.selinux,
    // ACLs) are host policy, not image content.
    bool wanted =
        (starts_with(n, "user.") && !starts_with(n, "user.overlay.")) || n == "security.capability";
    if (!wanted) {
      ++stats_.skipped_xattrs;
      continue;
    }
    if (::fsetxattr(fd, name, value, size, 0) == 0) continue;
    if (n == "security.capability" && (errno == EPERM || errno == EINVAL)) {
      ++stats_.skipped_xattrs;
      if (!g_capability_warning_given.exchange(true))
        log_warn("file capabilities could not be kept (first: " + path + ")");
      continue;
    }
    fail_errno(path, "set xattr " + std::string(n) + " on");
  }
}

void LayerWriter::finish() {
  if (!root_seen_ && ::fchmod(root_.get(), 0755) != 0) fail_errno("", "chmod");
  for (const auto& [path, fix] : dir_fixups_) {
    UniqueFd dir;
    if (path.empty()) {
      dir.reset(DABBA_SYSCALL(::fcntl(root_.get(), F_DUPFD_CLOEXEC, 0)));
    } else {
      // A later entry may have replaced the directory: then there is nothing to fix.
      int fd = openat2_beneath(root_.get(), path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW,
                               RESOLVE_NO_SYMLINKS);
      if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP) continue;
        fail_errno(path, "open directory");
      }
      dir.reset(fd);
    }
    if (::fchmod(dir.get(), fix.mode) != 0) fail_errno(path, "chmod");
    struct timespec ts[2] = {{fix.times.atime_sec, fix.times.atime_nsec},
                             {fix.times.mtime_sec, fix.times.mtime_nsec}};
    if (::futimens(dir.get(), ts) != 0) fail_errno(path, "set times of");
  }
  dir_fixups_.clear();
}

}  // namespace dabba
