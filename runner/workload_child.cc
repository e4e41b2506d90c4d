#include "runner/workload_child.h"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cstring>

#include "common/error.h"
#include "common/exit_codes.h"
#include "common/fs.h"
#include "common/subprocess.h"
#include "common/unique_fd.h"
#include "runner/env.h"
#include "runner/init_reaper.h"
#include "runner/seccomp.h"
#include "runner/terminal.h"
#include "runner/user.h"

namespace dabba::runner {
namespace {

// An image's /etc/passwd could be a FIFO, a device or huge: read only regular files, a bounded
// amount, without blocking. The path resolves inside the container's root (we pivoted), so a
// symlink cannot lead out of it.
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

bool setgroups_allowed() {
  std::string text = read_container_file("/proc/self/setgroups");
  return text.rfind("deny", 0) != 0;
}

void switch_user(const ResolvedUser& u) {
  std::string who = std::to_string(u.uid) + ":" + std::to_string(u.gid);
  if (setgroups_allowed()) {
    // Also drops the supplementary groups dabba inherited from the host.
    if (::setgroups(u.groups.size(), u.groups.data()) != 0)
      throw Error(errc_from_errno(errno),
                  "set supplementary groups of " + who +
                      " (a group id may be outside the user namespace's map)",
                  errno);
  }
  if (::setresgid(u.gid, u.gid, u.gid) != 0) {
    int err = errno;
    throw Error(errc_from_errno(err),
                "set group " + std::to_string(u.gid) +
                    (err == EINVAL ? ": gid is not mapped in the user namespace" : ""),
                err == EINVAL ? 0 : err,
                err == EINVAL ? "the container can use the ids of your /etc/subgid range" : "");
  }
  if (::setresuid(u.uid, u.uid, u.uid) != 0) {
    int err = errno;
    throw Error(errc_from_errno(err),
                "set user " + std::to_string(u.uid) +
                    (err == EINVAL ? ": uid is not mapped in the user namespace" : ""),
                err == EINVAL ? 0 : err,
                err == EINVAL ? "the container can use the ids of your /etc/subuid range" : "");
  }
  // Changing credentials clears the parent-death signal: set it again.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
}

void reset_signals() {
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    ::signal(sig, SIG_DFL);  // fails harmlessly for the realtime signals glibc reserves
  }
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
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
  std::string text = "exec \"" + argv0 + "\": ";
  if (searched && err == ENOENT)
    text += "executable file not found in $PATH";
  else
    text += std::strerror(err);
  sync.send_noexcept(SyncKind::kError, code, 0, text);
  ::_exit(code);
}

}  // namespace

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
  std::vector<char*> argv;
  std::vector<char*> envp;
  Pty pty;
  try {
    if (setup.create_cwd)
      with_context("create the working directory " + setup.cwd, [&] { make_dirs(setup.cwd); });
    ResolvedUser user = resolve_user(setup.user, read_container_file("/etc/passwd"),
                                     read_container_file("/etc/group"));
    set_default(env, "HOME", user.home);
    if (setup.tty) {
      pty = open_pty(user);
      copy_window_size(setup.terminal_fd, pty.master.get());
    }

    if (!sync.send_noexcept(SyncKind::kReady, 0, 0, {}, setup.tty ? pty.master.get() : -1))
      ::_exit(kExitDabbaFailed);
    pty.master.reset();
    // EOF here means the parent died or gave up: nothing left to do.
    if (setup.wait_for_go && !sync.wait_for_noexcept(SyncKind::kExec)) ::_exit(kExitDabbaFailed);

    if (setup.init) {
      // This process stays PID 1 and reaps; the workload is its child.
      pid_t workload = ::fork();
      if (workload < 0) throw_errno("fork the workload under --init");
      if (workload > 0) {
        // The reaper is bound as the workload is (it only waits and forwards signals), so the
        // workload cannot borrow its privileges through it (ptrace, /proc/1/...).
        // It keeps KILL, whatever was dropped: it must signal a workload of another uid.
        const CapabilitySet reaper_caps = setup.capabilities | (CapabilitySet{1} << 5);
        bound_capabilities(reaper_caps);
        set_root_capabilities(reaper_caps);
        DABBA_SYSCALL(::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs");
        if (setup.seccomp) install_seccomp_filter(reaper_caps);
        sync.close();
        pty.slave.reset();
        run_init_reaper(workload);
      }
    }

    // Its own session: the host's terminal is never our controlling tty, so TIOCSTI and job
    // control signals cannot reach it. With -t the pty becomes the controlling tty instead.
    DABBA_SYSCALL(::setsid(), "setsid");
    if (setup.tty) {
      DABBA_SYSCALL(::ioctl(pty.slave.get(), TIOCSCTTY, 0), "make the pty the controlling tty");
      for (int fd = 0; fd < 3; ++fd) dup_onto(pty.slave.get(), fd);
      pty.slave.reset();
    } else {
      if (setup.stdout_fd >= 0) dup_onto(setup.stdout_fd, 1);
      if (setup.stderr_fd >= 0) dup_onto(setup.stderr_fd, 2);
      if (setup.stdin_open) {
        if (setup.stdin_fd >= 0) dup_onto(setup.stdin_fd, 0);
      } else {
        UniqueFd null(DABBA_SYSCALL(::open("/dev/null", O_RDONLY | O_CLOEXEC), "/dev/null"));
        dup_onto(null.get(), 0);
      }
    }

    bound_capabilities(setup.capabilities);
    switch_user(user);
    set_root_capabilities(setup.capabilities);
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
    for (const auto& a : setup.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);

    reset_signals();
    // Nothing but 0, 1, 2 and the sync end (O_CLOEXEC: the parent's EOF on it says exec worked)
    // reaches the workload.
    if (!sync.move_to(3)) throw_errno("move the sync channel to fd 3");
    DABBA_SYSCALL(::close_range(4, ~0u, 0), "close_range");
    // Last: from here on only execve (or the report of its failure) runs.
    if (setup.seccomp) install_seccomp_filter(setup.capabilities);
  } catch (const std::exception& e) {
    report_child_failure(sync, e);
  } catch (...) {
    report_child_failure(sync, "unknown failure while starting the container", 0);
  }
  ::execve(program.c_str(), argv.data(), envp.data());
  exec_failed(sync, setup.argv[0], errno, false);
}

}  // namespace dabba::runner
