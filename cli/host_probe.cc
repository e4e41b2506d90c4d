#include "cli/host_probe.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstring>

#include "common/child_process.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/idmap.h"
#include "common/subprocess.h"
#include "common/unique_fd.h"
#include "runner/cgroups.h"

namespace dabba::cli {
namespace {

using Status = HostCheck::Status;

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string read_trimmed(const std::string& path) {
  std::string text;
  if (!read_file_if_exists(path, text)) return {};
  return trim(text);
}

// A probe child exits 0 when the thing works, else with the errno why not: empty, or the reason.
std::string probe_failure(const ExitStatus& status) {
  if (!status.exited()) return "the test process died";
  return status.code() == 0 ? "" : std::strerror(status.code());
}

// ---- user namespaces

// Forks a child that unshares a user namespace; empty on success, else why not.
std::string try_unshare_user() {
  pid_t pid = ::fork();
  if (pid < 0) return std::strerror(errno);
  if (pid == 0) _exit(::unshare(CLONE_NEWUSER) == 0 ? 0 : (errno & 0x7f));
  return probe_failure(ChildProcess(pid).wait());
}

HostCheck check_userns() {
  HostCheck c{"user namespaces"};
  std::string max = read_trimmed("/proc/sys/user/max_user_namespaces");
  std::string clone = read_trimmed("/proc/sys/kernel/unprivileged_userns_clone");
  std::string apparmor = read_trimmed("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
  c.detail = "max_user_namespaces=" + (max.empty() ? "?" : max);
  if (!clone.empty()) c.detail += ", unprivileged_userns_clone=" + clone;
  if (!apparmor.empty()) c.detail += ", apparmor_restrict_unprivileged_userns=" + apparmor;
  std::string why = try_unshare_user();
  if (why.empty()) {
    c.detail += "; unshare(CLONE_NEWUSER) works";
    return c;
  }
  c.status = Status::kMissing;
  c.detail += "; unshare(CLONE_NEWUSER): " + why;
  if (max == "0")
    c.fix = "as root: sysctl -w user.max_user_namespaces=15000 (and in /etc/sysctl.d/)";
  else if (clone == "0")
    c.fix = "as root: sysctl -w kernel.unprivileged_userns_clone=1 (and in /etc/sysctl.d/)";
  else if (apparmor == "1")
    c.fix =
        "as root: sysctl -w kernel.apparmor_restrict_unprivileged_userns=0, or an AppArmor "
        "profile allowing userns for dabba";
  else
    c.fix = "the kernel or a security module refuses user namespaces to this user";
  return c;
}

HostCheck check_subids(const char* file, const char* what) {
  const HostIdentity& who = host_identity();
  HostCheck c{std::string(what) + " ranges"};
  if (who.is_root()) {
    c.detail = "root: the whole id space";
    return c;
  }
  auto ranges = read_subid_ranges(file, who.user, who.uid);
  uint64_t total = 0;
  for (const auto& r : ranges) {
    if (!c.detail.empty()) c.detail += ", ";
    c.detail += std::to_string(r.start) + "-" + std::to_string(uint64_t{r.start} + r.count - 1) +
                " (" + std::to_string(r.count) + " ids)";
    total += r.count;
  }
  if (ranges.empty()) {
    c.status = Status::kMissing;
    c.detail = "none for " + who.user + " in " + file;
    c.fix = subid_hint(who);
  } else if (total < 65536) {
    c.status = Status::kLimited;
    c.detail += "; images using ids above " + std::to_string(total) + " will not unpack";
    c.fix = "give " + who.user + " at least 65536 ids in " + file;
  }
  return c;
}

HostCheck check_idmap_helper(const char* name) {
  HostCheck c{name};
  std::string path = find_program(name);
  if (path.empty()) {
    c.status = Status::kMissing;
    c.detail = "not found";
    c.fix = "install it: apt-get install uidmap (Debian/Ubuntu), dnf install shadow-utils";
    return c;
  }
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    c.status = Status::kMissing;
    c.detail = path + ": " + std::strerror(errno);
    return c;
  }
  bool setuid_root = (st.st_mode & S_ISUID) && st.st_uid == 0;
  bool caps = ::getxattr(path.c_str(), "security.capability", nullptr, 0) > 0;
  c.detail = path + (setuid_root ? " (setuid root)" : caps ? " (file capabilities)" : "");
  if (!setuid_root && !caps && host_identity().uid != 0) {
    c.status = Status::kMissing;
    c.detail += " is neither setuid root nor has file capabilities";
    c.fix = "as root: chmod u+s " + path + " (or setcap cap_setuid,cap_setgid+ep " + path + ")";
  }
  return c;
}

// ---- overlay

std::string fs_name(const std::string& path) {
  struct statfs s;
  if (::statfs(path.c_str(), &s) != 0) return "?";
  switch (static_cast<unsigned long>(s.f_type)) {
    case 0xEF53:
      return "ext4";
    case 0x58465342:
      return "xfs";
    case 0x9123683E:
      return "btrfs";
    case 0x01021994:
      return "tmpfs";
    case 0x794c7630:
      return "overlayfs";
    case 0xF2F52010:
      return "f2fs";
    default: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "fs 0x%lx", static_cast<unsigned long>(s.f_type));
      return buf;
    }
  }
}

// The child: its own user namespace (mapping just ourselves, which needs no helper) and mount
// namespace, then an overlay with userxattr over dir's lower/upper/work. Exits 0 or an errno.
[[noreturn]] void overlay_child(const std::string& dir, uid_t uid, gid_t gid) {
  auto write_proc = [](const char* file, const std::string& text) {
    int fd = ::open(file, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return false;
    bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ::close(fd);
    return ok;
  };
  if (::unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) _exit(errno & 0x7f);
  if (!write_proc("/proc/self/setgroups", "deny") ||
      !write_proc("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1") ||
      !write_proc("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1"))
    _exit(EPERM);
  if (::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) _exit(errno & 0x7f);
  // A whiteout as unpacked layers hold them: a 0:0 char device (allowed since Linux 5.8).
  if (::mknod((dir + "/lower/gone").c_str(), S_IFCHR | 0600, 0) != 0) _exit(errno & 0x7f);
  std::string opts =
      "lowerdir=" + dir + "/lower,upperdir=" + dir + "/upper,workdir=" + dir + "/work,userxattr";
  if (::mount("overlay", (dir + "/merged").c_str(), "overlay", 0, opts.c_str()) != 0)
    _exit(errno & 0x7f);
  // The merged view hides it, and takes a write.
  if (::access((dir + "/merged/gone").c_str(), F_OK) == 0) _exit(EINVAL);
  int fd = ::open((dir + "/merged/new").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) _exit(errno & 0x7f);
  ::close(fd);
  _exit(0);
}

HostCheck check_overlay(const std::string& store_root) {
  HostCheck c{"overlay (userxattr)"};
  // On the store's filesystem: its nearest existing ancestor.
  std::string where = store_root;
  while (!where.empty() && !path_exists(where)) where = dirname_of(where);
  if (where.empty() || ::access(where.c_str(), W_OK) != 0) where = "/tmp";
  try {
    TempDir dir(where, ".dabba-overlay-probe-");
    for (const char* sub : {"lower", "upper", "work", "merged"}) make_dirs(dir.path() + "/" + sub);
    const HostIdentity& who = host_identity();
    pid_t pid = ::fork();
    if (pid < 0) throw_errno("fork");
    if (pid == 0) overlay_child(dir.path(), who.uid, who.gid);
    std::string why = probe_failure(ChildProcess(pid).wait());
    c.detail = "on " + where + " (" + fs_name(where) + ")";
    if (why.empty()) {
      c.detail = "mounted in a user namespace " + c.detail;
    } else {
      c.status = Status::kMissing;
      c.detail += ": " + why;
      c.fix =
          "needs Linux 5.11+ (overlay in user namespaces, userxattr) on a filesystem with "
          "user xattrs (ext4, xfs, btrfs; tmpfs since 6.6); put the store there (--root)";
    }
  } catch (const Error& e) {
    c.status = Status::kMissing;
    c.detail = e.what();
  }
  return c;
}

// ---- cgroups

HostCheck check_cgroups() {
  HostCheck c{"cgroups"};
  runner::CgroupHost host;
  try {
    host = runner::CgroupHost::discover("");
  } catch (const Error& e) {
    c.status = Status::kLimited;
    c.detail = e.what();
    return c;
  }
  bool v1 = false, v2 = false;
  for (const auto& h : host.hierarchies) (h.v2 ? v2 : v1) = true;
  c.detail = v1 && v2 ? "v1 (hybrid: v2 also mounted)" : v2 ? "v2" : v1 ? "v1" : "none mounted";
  std::vector<std::string> writable, not_writable;
  for (const auto& h : host.hierarchies) {
    // The caller's cgroup in this hierarchy.
    std::string path;
    for (const auto& m : host.membership) {
      bool match = h.v2 ? m.hierarchy_id == 0 && m.controllers.empty()
                        : std::any_of(m.controllers.begin(), m.controllers.end(),
                                      [&](const std::string& ctl) {
                                        return std::find(h.controllers.begin(), h.controllers.end(),
                                                         ctl) != h.controllers.end();
                                      });
      if (match) path = m.path;
    }
    std::string root = h.root == "/" ? "" : h.root;
    if (!root.empty() && path.starts_with(root)) path = path.substr(root.size());
    std::string dir = h.mount_point + (path == "/" ? "" : path);
    std::string label;
    for (const auto& ctl : h.controllers) label += (label.empty() ? "" : ",") + ctl;
    if (h.v2) label = "v2[" + label + "]";
    if (!h.v2 && label.empty()) continue;
    bool interesting = h.v2;
    for (const char* ctl : {"memory", "pids", "cpu"})
      interesting = interesting || std::find(h.controllers.begin(), h.controllers.end(), ctl) !=
                                       h.controllers.end();
    if (!interesting) continue;
    (::access(dir.c_str(), W_OK) == 0 ? writable : not_writable).push_back(label + " " + dir);
  }
  auto join = [](const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : "; ") + s;
    return out;
  };
  if (!writable.empty()) c.detail += "; delegated (writable): " + join(writable);
  if (!not_writable.empty()) {
    c.detail += "; not writable: " + join(not_writable);
    if (writable.empty()) {
      c.status = Status::kLimited;
      c.fix = v2 && !v1 ? "--memory/--pids-limit/--cpus need a delegated v2 subtree: run under "
                          "`systemd-run --user --scope -p Delegate=yes`"
                        : "--memory/--pids-limit/--cpus need a cgroup you own in the memory, pids "
                          "and cpu hierarchies; as root: mkdir <hierarchy>/dabba-$USER && chown "
                          "-R $USER <hierarchy>/dabba-$USER, then run dabba from a shell moved "
                          "into it";
    }
  }
  return c;
}

// ---- networking

HostCheck check_slirp() {
  HostCheck c{"slirp4netns"};
  std::string path = find_program("slirp4netns");
  if (path.empty()) {
    c.status = Status::kMissing;
    c.detail = "not found (needed for networked containers)";
    c.fix = "install it: apt-get install slirp4netns";
    return c;
  }
  try {
    CommandResult r = run_command({path, "--version"});
    std::string first = r.out.substr(0, r.out.find('\n'));
    c.detail = path + ": " + (first.empty() ? "version unknown" : first);
  } catch (const Error& e) {
    c.status = Status::kMissing;
    c.detail = path + ": " + e.what();
  }
  return c;
}

HostCheck check_tun() {
  HostCheck c{"/dev/net/tun"};
  int fd = ::open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (fd >= 0) {
    ::close(fd);
    c.detail = "usable";
    return c;
  }
  int err = errno;
  c.status = Status::kMissing;
  c.detail = std::string("open: ") + std::strerror(err);
  c.fix = err == ENOENT ? "as root: mkdir -p /dev/net && mknod /dev/net/tun c 10 200 && chmod "
                          "0666 /dev/net/tun (or modprobe tun)"
                        : "as root: chmod 0666 /dev/net/tun";
  return c;
}

}  // namespace

std::vector<HostCheck> probe_host(const std::string& store_root) {
  std::vector<HostCheck> out;
  struct utsname u;
  if (::uname(&u) == 0)
    out.push_back(
        {"kernel", Status::kOk, std::string(u.sysname) + " " + u.release + " " + u.machine});
  const HostIdentity& who = host_identity();
  out.push_back({"user", Status::kOk,
                 who.user + " (uid " + std::to_string(who.uid) + ", gid " +
                     std::to_string(who.gid) + (who.is_root() ? ", root: no user namespace" : "") +
                     ")"});
  out.push_back(check_userns());
  out.push_back(check_subids("/etc/subuid", "subuid"));
  out.push_back(check_subids("/etc/subgid", "subgid"));
  out.push_back(check_idmap_helper("newuidmap"));
  out.push_back(check_idmap_helper("newgidmap"));
  out.push_back(check_overlay(store_root));
  out.push_back(check_cgroups());
  out.push_back(check_slirp());
  out.push_back(check_tun());
  return out;
}

}  // namespace dabba::cli
