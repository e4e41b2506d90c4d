#include "runner/workload_child.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <cstring>

#include "common/dir_stream.h"
#include "common/error.h"
#include "common/exit_codes.h"
#include "common/fs.h"
#include "common/subprocess.h"
#include "common/text.h"
#include "common/unique_fd.h"
#include "runner/env.h"
#include "runner/exec_shim.h"
#include "runner/rlimits.h"
#include "runner/seccomp.h"
#include "runner/signals.h"
#include "runner/user.h"

namespace dabba::runner {

std::string read_container_file(const char* path) {
  int fd = ::open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return "";
    throw_errno(std::string("open ") + path);
  }
  UniqueFd owned(fd);
  struct stat st;
  DABBA_SYSCALL(::fstat(fd, &st), path);
  if (!S_ISREG(st.st_mode)) return "";
  constexpr size_t kMax = 16 << 20;
  std::string out;
  char buf[65536];
  while (out.size() < kMax) {
    ssize_t n = DABBA_SYSCALL(::read(fd, buf, sizeof buf), path);
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

namespace {

// Everything below the directory open as dir owned by uid:gid; links are changed, not followed,
// and another mount below (a volume inside the :U one) is left alone, as podman chowns the
// source only.
void chown_children(int dir, uint64_t mount_id, uid_t uid, gid_t gid, const std::string& what) {
  UniqueFd in(::openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!in.valid()) throw_errno("open " + what);
  DirStream entries(std::move(in), what);
  while (const struct dirent* e = entries.next()) {
    struct statx st;
    if (::statx(entries.fd(), e->d_name, AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_MNT_ID, &st) != 0)
      continue;                               // gone meanwhile
    if (st.stx_mnt_id != mount_id) continue;  // a mount point: another mount's
    if (::fchownat(entries.fd(), e->d_name, uid, gid, AT_SYMLINK_NOFOLLOW) != 0)
      throw_errno("chown " + what + "/" + e->d_name);
    if (!S_ISDIR(st.stx_mode)) continue;
    UniqueFd sub(
        ::openat(entries.fd(), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (sub.valid()) chown_children(sub.get(), mount_id, uid, gid, what + "/" + e->d_name);
  }
}

// :U: path (inside the container, its mounts in place) and all below it owned by uid:gid, unless
// its top already is theirs (podman's rule: a file chowned inside since is left as it is).
void chown_tree_to(const std::string& path, uid_t uid, gid_t gid) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) throw_errno("stat " + path);
  if (st.st_uid == uid && st.st_gid == gid) return;
  if (::lchown(path.c_str(), uid, gid) != 0) throw_errno("chown " + path);
  if (!S_ISDIR(st.st_mode)) return;
  UniqueFd top(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!top.valid()) throw_errno("open " + path);
  struct statx top_st;
  if (::statx(top.get(), "", AT_EMPTY_PATH, STATX_MNT_ID, &top_st) != 0)
    throw_errno("statx " + path);
  chown_children(top.get(), top_st.stx_mnt_id, uid, gid, path);
}

bool setgroups_allowed() {
  std::string text = read_container_file("/proc/self/setgroups");
  return text.rfind("deny", 0) != 0;
}

// The failure ERR of setting the KIND ("group" or "user") to ID; EINVAL means ID is not mapped.
Error set_id_error(const std::string& kind, const std::string& id_name, uint32_t id, int err) {
  if (err != EINVAL)
    return Error(errc_from_errno(err), "set " + kind + " " + std::to_string(id), err);
  return Error(errc_from_errno(err),
               "set " + kind + " " + std::to_string(id) + ": " + id_name +
                   " is not mapped in the user namespace",
               0, "the container can use the ids of your /etc/sub" + id_name + " range");
}

// The groups the user namespace maps: a small --userns=auto or --uidmap map leaves out groups the
// image's /etc/group gives the user (busybox's root is in wheel, 10), which setgroups refuses.
std::vector<gid_t> mapped_groups(const std::vector<gid_t>& groups) {
  std::vector<std::array<uint64_t, 3>> ranges;
  for (const std::string& line : split_lines(read_container_file("/proc/self/gid_map"))) {
    std::array<uint64_t, 3> r{};
    if (std::sscanf(line.c_str(), "%lu %lu %lu", &r[0], &r[1], &r[2]) == 3) ranges.push_back(r);
  }
  if (ranges.empty()) return groups;
  std::vector<gid_t> out;
  for (gid_t g : groups)
    for (const auto& r : ranges)
      if (g >= r[0] && g - r[0] < r[2]) {
        out.push_back(g);
        break;
      }
  return out;
}

// keep_groups (--group-add keep-groups): no setgroups, the caller's groups stay, as podman's.
void switch_user(const ResolvedUser& u, bool keep_groups) {
  std::string who = std::to_string(u.uid) + ":" + std::to_string(u.gid);
  if (!keep_groups && setgroups_allowed()) {
    // Also drops the supplementary groups dabba inherited from the host.
    const std::vector<gid_t> groups = mapped_groups(u.groups);
    if (::setgroups(groups.size(), groups.data()) != 0)
      throw Error(errc_from_errno(errno),
                  "set supplementary groups of " + who +
                      " (a group id may be outside the user namespace's map)",
                  errno);
  }
  if (::setresgid(u.gid, u.gid, u.gid) != 0) throw set_id_error("group", "gid", u.gid, errno);
  if (::setresuid(u.uid, u.uid, u.uid) != 0) throw set_id_error("user", "uid", u.uid, errno);
  // Changing credentials clears the parent-death signal: set it again.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
}

// Default actions everywhere, and only `blocked` blocked.
void reset_signals(const sigset_t& blocked) {
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    ::signal(sig, SIG_DFL);  // fails harmlessly for the realtime signals glibc reserves
  }
  ::sigprocmask(SIG_SETMASK, &blocked, nullptr);
}

void dup_onto(int from, int to) {
  if (from == to) {
    int flags = ::fcntl(to, F_GETFD);
    if (flags >= 0) ::fcntl(to, F_SETFD, flags & ~FD_CLOEXEC);
    return;
  }
  DABBA_SYSCALL(::dup2(from, to));
}

struct Pty {
  UniqueFd master;
  UniqueFd slave;
};

// The pty comes from the container's own devpts instance (/dev/ptmx -> pts/ptmx), so `tty` in the
// container says /dev/pts/0 and the host's ptys stay out of reach.
Pty open_pty(const ResolvedUser& user) {
  Pty p;
  p.master.reset(DABBA_SYSCALL(::open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC), "/dev/ptmx"));
  DABBA_SYSCALL(::unlockpt(p.master.get()), "unlockpt");
  // TIOCGPTPEER opens the slave through the master, never by a path someone could swap.
  p.slave.reset(DABBA_SYSCALL(::ioctl(p.master.get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC),
                              "open the pty's slave"));
  ::fchown(p.slave.get(), user.uid, static_cast<gid_t>(-1));  // best effort, like login(1)
  return p;
}

[[noreturn]] void exec_failed(SyncChannel& sync, const std::string& argv0, int err, bool searched) {
  int code = (err == ENOENT || err == ENOTDIR) ? kExitNotFound : kExitNotExecutable;
  sync.send_noexcept(SyncKind::kError, code, 0, exec_failure_text(argv0, err, searched));
  ::_exit(code);
}

// The capability set the kernel passes the shim: DAC_OVERRIDE and DAC_READ_SEARCH out of the
// effective set only (root gets them back at the exec), so the exec'ing process cannot read the
// mode-0111 shim, and the kernel starts it non-dumpable.
void drop_read_override() {
  struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2] = {};
  if (::syscall(SYS_capget, &header, data) != 0) throw_errno("capget");
  constexpr uint32_t kRead = (1u << CAP_DAC_OVERRIDE) | (1u << CAP_DAC_READ_SEARCH);
  if ((data[0].effective & kRead) == 0) return;
  data[0].effective &= ~kRead;
  if (::syscall(SYS_capset, &header, data) != 0) throw_errno("capset");
}

uint64_t signal_mask(const sigset_t& set) {
  uint64_t mask = 0;
  for (int sig = 1; sig <= 64; ++sig)
    if (sigismember(&set, sig) == 1) mask |= uint64_t{1} << (sig - 1);
  return mask;
}

}  // namespace

std::string exec_failure_text(const std::string& argv0, int err, bool searched) {
  std::string text = "exec \"" + argv0 + "\": ";
  if (searched && err == ENOENT)
    text += "executable file not found in $PATH";
  else
    text += go_errno_text(err);
  return text;
}

bool adopt_stdio_child(const ChildStdio& stdio) noexcept {
  int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null < 0) return false;
  // Above 2 first: a source may sit on 0-2 itself.
  int src[3];
  const int want[3] = {stdio.in, stdio.out, stdio.err};
  for (int i = 0; i < 3; ++i) {
    src[i] = ::fcntl(want[i] >= 0 ? want[i] : null, F_DUPFD_CLOEXEC, 3);
    if (src[i] < 0) return false;
  }
  for (int i = 0; i < 3; ++i) {
    if (::dup2(src[i], i) < 0) return false;
    ::close(src[i]);
  }
  ::close(null);
  return ::close_range(3, ~0u, CLOSE_RANGE_CLOEXEC) == 0;
}

void report_child_failure(SyncChannel& sync, const std::string& text, int err) noexcept {
  sync.send_noexcept(SyncKind::kError, kExitDabbaFailed, err, text);
  ::_exit(kExitDabbaFailed);
}

void report_child_failure(SyncChannel& sync, const std::exception& e) noexcept {
  if (const auto* de = dynamic_cast<const Error*>(&e)) {
    // The hint rides after a NUL; the parent splits it off again.
    std::string text = de->what();
    if (!de->hint().empty()) text += std::string(1, '\0') + de->hint();
    sync.send_noexcept(SyncKind::kError, kExitDabbaFailed, de->sys_errno(), text);
    ::_exit(kExitDabbaFailed);
  }
  report_child_failure(sync, e.what(), 0);
}

void run_workload_child(SyncChannel& sync, const WorkloadSetup& setup) noexcept {
  std::vector<std::string> env = setup.env;
  std::string program;
  std::vector<std::string> shim_args;
  std::string shim_path;  // /proc/self/fd/N of the shim, made before the seccomp filter
  std::vector<char*> argv;
  std::vector<char*> envp;
  Pty pty;
  try {
    // While our /proc files are still ours (before PR_SET_DUMPABLE below); the exec keeps it.
    if (setup.oom_score_adj) set_oom_score_adj("/proc/self", *setup.oom_score_adj);
    if (setup.create_cwd)
      with_context("create the working directory " + setup.cwd, [&] { make_dirs(setup.cwd); });
    const std::string group_file = read_container_file("/etc/group");
    ResolvedUser user = resolve_user(setup.user, read_container_file("/etc/passwd"), group_file);
    const bool keep_groups = setup.group_add.size() == 1 && setup.group_add[0] == "keep-groups";
    if (!keep_groups) add_groups(user, setup.group_add, group_file);
    set_default(env, "HOME", user.home);
    for (const std::string& path : setup.chown_paths)
      with_context("chown " + path + " to the container's user (:U)",
                   [&] { chown_tree_to(path, user.uid, user.gid); });
    if (setup.tty) {
      pty = open_pty(user);
      if (setup.window) ::ioctl(pty.master.get(), TIOCSWINSZ, &*setup.window);
    }

    if (!sync.send_noexcept(SyncKind::kReady, 0, 0, {}, setup.tty ? pty.master.get() : -1))
      ::_exit(kExitDabbaFailed);
    pty.master.reset();
    // EOF here means the parent died or gave up: nothing left to do.
    if (setup.wait_for_go && !sync.wait_for_noexcept(SyncKind::kExec)) ::_exit(kExitDabbaFailed);

    // From here the container's processes may see us (--init's workload, exec'd processes, the
    // workload of a container we join): not dumpable, so none of them can ptrace us or open our
    // /proc files (exe, fds, memory) until the exec. (`exec` set it before it joined.)
    DABBA_SYSCALL(::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0), "PR_SET_DUMPABLE");

    if (setup.tty) {
      for (int fd = 0; fd < 3; ++fd) dup_onto(pty.slave.get(), fd);
      pty.slave.reset();
    } else if (setup.null_stdin) {
      // The /dev/null adopt_stdio_child() opened was the host's, which /proc shows as "/null".
      UniqueFd null(DABBA_SYSCALL(::open("/dev/null", O_RDONLY | O_CLOEXEC), "/dev/null"));
      dup_onto(null.get(), 0);
    }
    // Its own session: the host's terminal is never our controlling tty, so TIOCSTI and job
    // control signals cannot reach it. With -t the pty becomes the controlling tty instead. With
    // --init the shim does this for the workload it forks.
    if (!setup.init) {
      DABBA_SYSCALL(::setsid(), "setsid");
      if (setup.tty) DABBA_SYSCALL(::ioctl(0, TIOCSCTTY, 0), "make the pty the controlling tty");
    }

    bound_capabilities(setup.capabilities);
    switch_user(user, keep_groups);
    set_root_capabilities(setup.capabilities);
    if (::chdir(setup.cwd.c_str()) != 0 && errno == ENOENT && setup.missing_cwd_is_126) {
      // podman's words and exit code (126) for a -w that is not there.
      sync.send_noexcept(SyncKind::kError, kExitNotExecutable, 0,
                         "workdir \"" + setup.cwd + "\" does not exist on container");
      ::_exit(kExitNotExecutable);
    }
    if (::chdir(setup.cwd.c_str()) != 0)
      throw Error(errc_from_errno(errno), "chdir to the working directory " + setup.cwd, errno);
    DABBA_SYSCALL(::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs");
    // The OCI default (runc's, so Docker's and podman's), not whatever umask the caller has.
    ::umask(022);

    const std::string& argv0 = setup.argv[0];
    bool searched = argv0.find('/') == std::string::npos;
    if (searched) {
      // As execvp would, but only among regular files we may execute.
      program = search_path(argv0, env_value(env, "PATH").value_or(kDefaultPath));
      if (program.empty()) exec_failed(sync, argv0, ENOENT, true);
    } else {
      program = argv0;
    }
    const bool shim = setup.shim_fd >= 0;
    if (setup.init && !shim)
      throw Error(Errc::kUnsupported,
                  "--init needs dabba's exec shim, which this kernel refuses "
                  "to run from a memfd (vm.memfd_noexec=2)");
    if (shim) {
      shim_args = exec_shim_argv(setup.init, 3 + setup.preserve_fds,
                                 signal_mask(forwarded_signals()), program, setup.argv);
      for (const auto& a : shim_args) argv.push_back(const_cast<char*>(a.c_str()));
    } else {
      for (const auto& a : setup.argv) argv.push_back(const_cast<char*>(a.c_str()));
    }
    argv.push_back(nullptr);
    for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);

    // With --init the forwarded signals stay blocked: the reaper reads them from a signalfd.
    sigset_t blocked;
    sigemptyset(&blocked);
    if (setup.init && shim) blocked = forwarded_signals();
    reset_signals(blocked);
    // Nothing but 0, 1, 2, --preserve-fds's 3..P-1, the sync end at P (the shim reports a failed
    // exec on it; an exec closes it, and the parent's EOF says the workload runs) and the shim
    // itself at P+1 reaches the exec.
    const int first_own = 3 + setup.preserve_fds;  // P
    int shim_fd =
        shim ? DABBA_SYSCALL(::fcntl(setup.shim_fd, F_DUPFD_CLOEXEC, std::max(10, first_own + 2)))
             : -1;
    if (!sync.move_to(first_own))
      throw_errno("move the sync channel to fd " + std::to_string(first_own));
    if (shim) {
      DABBA_SYSCALL(::fcntl(first_own, F_SETFD, 0), "keep the sync channel open for the shim");
      DABBA_SYSCALL(::dup3(shim_fd, first_own + 1, O_CLOEXEC), "move the exec shim");
    }
    DABBA_SYSCALL(::close_range(first_own + (shim ? 2 : 1), ~0u, 0), "close_range");
    shim_path = "/proc/self/fd/" + std::to_string(first_own + 1);
    for (int fd = 3; fd < first_own; ++fd)
      DABBA_SYSCALL(::fcntl(fd, F_SETFD, 0), "keep fd " + std::to_string(fd) + " (--preserve-fds)");
    // After the fd shuffle (a nofile of 3 must not break it), before the filter and the exec.
    apply_rlimits(setup.rlimits);
    if (shim) drop_read_override();
    // Last: from here on only the exec (or the report of its failure) runs.
    install_seccomp_filter(setup.seccomp);
  } catch (const std::exception& e) {
    report_child_failure(sync, e);
  } catch (...) {
    report_child_failure(sync, "unknown failure while starting the container", 0);
  }
  if (setup.shim_fd >= 0) {
    ::syscall(SYS_execveat, 4 + setup.preserve_fds, "", argv.data(), envp.data(), AT_EMPTY_PATH);
    // A profile that refuses execveat: the same file by its /proc path.
    ::execve(shim_path.c_str(), argv.data(), envp.data());
    report_child_failure(sync, std::string("exec dabba's exec shim: ") + std::strerror(errno),
                         errno);
  }
  ::execve(program.c_str(), argv.data(), envp.data());
  exec_failed(sync, setup.argv[0], errno, false);
}

}  // namespace dabba::runner
