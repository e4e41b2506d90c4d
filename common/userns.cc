#include "common/userns.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>
#include <string>

#include "common/child_process.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/proc_stat.h"
#include "common/process_title.h"
#include "common/unique_fd.h"

namespace dabba {
namespace {

std::vector<IdMapping> read_proc_map(const std::string& path) {
  std::vector<IdMapping> out;
  std::string text;
  try {
    if (!read_file_if_exists(path, text)) return out;
  } catch (const Error&) {
    return out;
  }
  std::istringstream in(text);
  IdMapping m;
  while (in >> m.inside >> m.outside >> m.count) out.push_back(m);
  return out;
}

[[noreturn]] void throw_unshare_failed(int err) {
  throw Error(Errc::kPermission, "cannot create a user namespace", err,
              "check that user namespaces are enabled: sysctl user.max_user_namespaces (> 0) and "
              "kernel.unprivileged_userns_clone=1 where that sysctl exists");
}

void join_namespace_of(pid_t pid) {
  std::string path = "/proc/" + std::to_string(pid) + "/ns/user";
  UniqueFd fd = open_file(path, O_RDONLY);
  DABBA_SYSCALL(::setns(fd.get(), CLONE_NEWUSER), path);
}

// The pause process named by the pid file, if it is ours, alive and holds a namespace with map.
pid_t trusted_pause(const std::string& pid_file, const IdMap& map, bool* stale_ours) {
  *stale_ours = false;
  std::string text;
  try {
    if (!read_file_if_exists(pid_file, text)) return -1;
  } catch (const Error&) {
    return -1;
  }
  std::istringstream in(text);
  long pid = -1;
  uint64_t started = 0;
  if (!(in >> pid >> started) || pid <= 1 || started == 0) return -1;
  std::string proc = "/proc/" + std::to_string(pid);
  struct stat st;
  if (::stat(proc.c_str(), &st) != 0 || st.st_uid != host_identity().uid) return -1;
  if (process_start_time(static_cast<pid_t>(pid)) != started) return -1;
  // Ours and the same process: from here on, a mismatch means a stale pause to retire.
  if (read_proc_map(proc + "/uid_map") != map.uids ||
      read_proc_map(proc + "/gid_map") != map.gids) {
    *stale_ours = true;
    return static_cast<pid_t>(pid);
  }
  return static_cast<pid_t>(pid);
}

// Forks the pause process (reparented to init through a short-lived middle process), maps its new
// user namespace, records it in pid_file, and returns its pid.
pid_t create_pause(const IdMap& map, const std::string& pid_file) {
  Pipe up = Pipe::make();    // pause -> us: its pid, then "u" once it has unshared
  Pipe down = Pipe::make();  // us -> pause: "g" once it is mapped and recorded
  pid_t middle_pid = ::fork();
  if (middle_pid < 0) throw_errno("fork");
  if (middle_pid == 0) {
    ::setsid();
    pid_t pause_pid = ::fork();
    if (pause_pid != 0) {
      // The middle process only hands the pause process to init.
      ssize_t ignored = ::write(up.write.get(), &pause_pid, sizeof pause_pid);
      (void)ignored;
      ::_exit(pause_pid < 0 ? 1 : 0);
    }
    up.read.reset();
    down.write.reset();
    // It lives on after its creator: nothing of that command line (-e values) may show.
    set_process_title("dabba-pause");
    // A process that changed its uids (a test harness's setuid) is not dumpable, which makes its
    // /proc files root's and so its namespace unjoinable; the pause process holds no secrets.
    // Before 'u': the creator joins the namespace as soon as it has sent 'g', without waiting.
    ::prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
    char byte = ::unshare(CLONE_NEWUSER) == 0 ? 'u' : 'e';
    if (::write(up.write.get(), &byte, 1) != 1 || byte != 'u') ::_exit(1);
    up.write.reset();
    ssize_t n;
    do {
      n = ::read(down.read.get(), &byte, 1);
    } while (n < 0 && errno == EINTR);
    if (n != 1 || byte != 'g') ::_exit(1);
    if (::chdir("/") != 0) ::_exit(1);
    int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    for (int fd = 0; fd < 3; ++fd) ::dup2(null_fd, fd);
    ::syscall(SYS_close_range, 3, ~0U, 0);
    ::signal(SIGHUP, SIG_IGN);
    ::signal(SIGINT, SIG_IGN);
    ::signal(SIGQUIT, SIG_IGN);
    ::signal(SIGPIPE, SIG_IGN);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (;;) ::pause();
  }
  ChildProcess middle(middle_pid);
  up.write.reset();
  down.read.reset();
  pid_t pause_pid = -1;
  ssize_t n;
  do {
    n = ::read(up.read.get(), &pause_pid, sizeof pause_pid);
  } while (n < 0 && errno == EINTR);
  middle.wait();
  if (n != sizeof pause_pid || pause_pid <= 0)
    throw Error(Errc::kFailed, "cannot fork the pause process");
  char byte = 0;
  do {
    n = ::read(up.read.get(), &byte, 1);
  } while (n < 0 && errno == EINTR);
  if (n != 1 || byte != 'u') {
    ::kill(pause_pid, SIGKILL);
    throw_unshare_failed(EPERM);
  }
  try {
    write_id_map(pause_pid, map);
    write_file_atomic(
        pid_file,
        std::to_string(pause_pid) + " " + std::to_string(process_start_time(pause_pid)) + "\n",
        Sync::kNone, 0600);  // names a live process: a reboot ends it anyway
  } catch (...) {
    ::kill(pause_pid, SIGKILL);
    throw;
  }
  byte = 'g';
  if (::write(down.write.get(), &byte, 1) != 1) {
    ::kill(pause_pid, SIGKILL);
    throw_errno("start the pause process");
  }
  return pause_pid;
}

// A private namespace for this process alone: newuidmap must run from outside it, so a helper
// child waits until we have unshared, maps us, and reports "ok" or the error text.
void enter_private_namespace(const IdMap& map) {
  const pid_t self = ::getpid();
  bool single = map.uids.size() == 1 && map.gids.size() == 1 && map.uids[0].count == 1;
  if (single) {
    // An unprivileged process may map its own id into its own namespace without a helper.
    if (::unshare(CLONE_NEWUSER) != 0) throw_unshare_failed(errno);
    write_id_map(self, map);
    return;
  }
  Pipe go = Pipe::make();
  Pipe report = Pipe::make();
  pid_t helper_pid = ::fork();
  if (helper_pid < 0) throw_errno("fork");
  if (helper_pid == 0) {
    go.write.reset();
    report.read.reset();
    char byte;
    ssize_t n;
    do {
      n = ::read(go.read.get(), &byte, 1);
    } while (n < 0 && errno == EINTR);
    if (n != 1) ::_exit(1);
    std::string message = "ok";
    try {
      write_id_map(self, map);
    } catch (const Error& e) {
      message = std::string(e.what()) + "\n" + e.hint();
    } catch (const std::exception& e) {
      message = e.what();
    }
    ssize_t ignored = ::write(report.write.get(), message.data(), message.size());
    (void)ignored;
    ::_exit(0);
  }
  // Killed and reaped on the error paths below.
  ChildProcess helper(helper_pid);
  go.read.reset();
  report.write.reset();
  if (::unshare(CLONE_NEWUSER) != 0) throw_unshare_failed(errno);
  char byte = 1;
  if (::write(go.write.get(), &byte, 1) != 1) throw_errno("signal the id-map helper");
  go.write.reset();
  std::string message = read_all(report.read.get());
  helper.wait();
  if (message != "ok") {
    auto nl = message.find('\n');
    std::string text = nl == std::string::npos ? message : message.substr(0, nl);
    std::string hint = nl == std::string::npos ? "" : message.substr(nl + 1);
    if (text.empty()) text = "the id-map helper died";
    throw Error(Errc::kPermission, "map ids of the user namespace: " + text, 0, hint);
  }
}

}  // namespace

IdMap current_id_map() {
  IdMap map;
  map.uids = read_proc_map("/proc/self/uid_map");
  map.gids = read_proc_map("/proc/self/gid_map");
  return map;
}

std::string pause_runtime_dir() {
  const HostIdentity& who = host_identity();
  std::string dir;
  const char* xdg = std::getenv("XDG_RUNTIME_DIR");
  struct stat st;
  // Ours: the user's, or (inside dabba's user namespace, where the user is root) root's.
  const auto ours = [&](uid_t owner) { return owner == who.uid || owner == ::geteuid(); };
  if (xdg != nullptr && *xdg == '/' && ::stat(xdg, &st) == 0 && S_ISDIR(st.st_mode) &&
      ours(st.st_uid))
    dir = std::string(xdg) + "/dabba";
  else
    dir = "/tmp/dabba-" + std::to_string(who.uid);
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return "";
  // Never trust a directory someone else made for us (a /tmp squatter could plant a pid file).
  if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || !ours(st.st_uid) ||
      (st.st_mode & 0077) != 0)
    return "";
  return dir;
}

void enter_user_namespace(const IdMap& map) {
  const HostIdentity& who = host_identity();  // must be read before the namespace exists
  if (!in_initial_user_namespace()) return;
  if (who.is_root() && ::geteuid() == 0) return;

  const char* pause_env = std::getenv("DABBA_PAUSE");
  std::string dir =
      (pause_env != nullptr && std::string(pause_env) == "0") ? "" : pause_runtime_dir();
  if (dir.empty()) return enter_private_namespace(map);
  const std::string pid_file = dir + "/pause.pid";

  bool stale = false;
  pid_t pause_pid = trusted_pause(pid_file, map, &stale);
  if (pause_pid > 0 && !stale) {
    try {
      join_namespace_of(pause_pid);
      return;
    } catch (const Error& e) {
      log_debug(std::string("cannot join the pause process's namespace: ") + e.what());
    }
  }
  // Create it, one process at a time; whoever waited on the lock re-checks first.
  UniqueFd lock = open_file(dir + "/pause.lock", O_RDWR | O_CREAT, 0600);
  DABBA_SYSCALL(::flock(lock.get(), LOCK_EX), dir + "/pause.lock");
  pause_pid = trusted_pause(pid_file, map, &stale);
  if (pause_pid > 0 && !stale) {
    try {
      join_namespace_of(pause_pid);
      return;
    } catch (const Error&) {
    }
  }
  if (pause_pid > 0 && stale) ::kill(pause_pid, SIGTERM);  // its map is outdated (subuid changed)
  try {
    pause_pid = create_pause(map, pid_file);
    join_namespace_of(pause_pid);
  } catch (const Error& e) {
    // Sharing is an optimisation: a private namespace works for everything but joining
    // containers started by other dabba processes.
    log_debug(std::string("no shared user namespace, using a private one: ") + e.what());
    if (!in_initial_user_namespace()) throw;
    enter_private_namespace(map);
  }
}

IdMap enter_default_user_namespace() {
  const HostIdentity& who = host_identity();
  if (!in_initial_user_namespace()) return current_id_map();
  IdMap map = default_id_map(who);
  if (map.deny_setgroups && !who.is_root())
    log_warn("no /etc/subuid or /etc/subgid range for " + who.user +
             ": only one uid and gid are mapped; " + subid_hint(who));
  enter_user_namespace(map);
  return map;
}

}  // namespace dabba
