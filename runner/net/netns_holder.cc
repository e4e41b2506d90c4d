#include "runner/net/netns_holder.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <sstream>
#include <vector>

#include "common/child_process.h"
#include "common/error.h"
#include "common/file_lock.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/proc_stat.h"
#include "common/process_title.h"
#include "common/unique_fd.h"
#include "common/userns.h"
#include "runner/net/network.h"
#include "runner/net/pasta.h"
#include "runner/net/slirp.h"

namespace dabba::runner {
namespace {

constexpr const char* kTitle = "dabba-netns";
constexpr int kReadyTimeoutMs = 10000;
constexpr int kIdleCheckMs = 2000;

// flock on <dir>/lock for as long as it lives.
FileLock lock_dir(const std::string& dir) {
  return FileLock::acquire(dir + "/lock", FileLock::Mode::kExclusive);
}

std::string pid_record(pid_t pid) {
  return std::to_string(pid) + " " + std::to_string(process_start_time(pid)) + "\n";
}

// The pid a "PID STARTTIME" record names, when that process still lives; else -1.
pid_t live_pid(const std::string& record) {
  std::istringstream in(record);
  long pid = -1;
  uint64_t started = 0;
  if (!(in >> pid >> started) || pid <= 1 || started == 0) return -1;
  if (process_start_time(static_cast<pid_t>(pid)) != started) return -1;
  return static_cast<pid_t>(pid);
}

std::string ns_link(const std::string& proc, const char* ns) {
  char buf[64];
  ssize_t n = ::readlink((proc + "/ns/" + ns).c_str(), buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

// The holder of holder.pid, if it is one: alive, titled dabba-netns, in our user namespace (a
// holder left from an earlier pause process's namespace is not joinable: it is stale).
pid_t trusted_holder(const std::string& dir, bool* stale) {
  *stale = false;
  std::string text;
  if (!read_file_if_exists(dir + "/holder.pid", text)) return -1;
  pid_t pid = live_pid(text);
  if (pid < 0) return -1;
  const std::string proc = "/proc/" + std::to_string(pid);
  std::string cmdline;
  if (!read_file_if_exists(proc + "/cmdline", cmdline) ||
      cmdline.compare(0, std::strlen(kTitle), kTitle) != 0)
    return -1;
  if (ns_link(proc, "user") != ns_link("/proc/self", "user")) *stale = true;
  return pid;
}

void kill_holder(const std::string& dir, pid_t pid) noexcept {
  if (pid > 0) {
    UniqueFd pidfd = open_pidfd(pid);
    try {
      if (pidfd.valid()) signal_pidfd(pidfd.get(), SIGKILL);
    } catch (const std::exception&) {
    }
  }
  ::unlink((dir + "/holder.pid").c_str());
  try {
    // aardvark-dns died with the holder: its records of containers are stale.
    remove_tree(dir + "/netavark");
  } catch (const std::exception&) {
  }
}

size_t prune_members(const std::string& dir);

// In the holder: no live member, and no caller between its lock and its member file. Then the
// pid file goes, under the lock, which the holder keeps until it has exited.
bool holder_idle(const std::string& dir) {
  const int fd = ::open((dir + "/lock").c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return false;
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return false;
  }
  try {
    if (prune_members(dir) == 0) {
      ::unlink((dir + "/holder.pid").c_str());
      remove_tree(dir + "/netavark");
      return true;  // fd stays open (and locked) until the exit
    }
  } catch (const std::exception&) {
  }
  ::close(fd);
  return false;
}

[[noreturn]] void holder_fail(int report_fd, const std::string& what) {
  std::string line = what + ": " + std::strerror(errno);
  ssize_t ignored = ::write(report_fd, line.data(), line.size());
  (void)ignored;
  ::_exit(1);
}

// In the way out's child: until the holder says "go" (its new network namespace exists); exits if
// the holder is gone first.
void wait_for_go(int go_fd) {
  char byte;
  ssize_t n;
  do {
    n = ::read(go_fd, &byte, 1);
  } while (n < 0 && errno == EINTR);
  if (n != 1) ::_exit(1);
}

// slirp4netns, started by the holder before it leaves the caller's network namespace, waits for
// "go" and then attaches to the holder's new one.
[[noreturn]] void exec_slirp(const Slirp4netnsBinary& slirp, pid_t holder, int go_fd, int ready_fd,
                             int log_fd) {
  wait_for_go(go_fd);
  std::vector<std::string> args = {slirp.path, "--configure", "--mtu", "65520",
                                   "--disable-host-loopback"};
  if (slirp.sandbox) args.push_back("--enable-sandbox");
  if (slirp.seccomp) args.push_back("--enable-seccomp");
  args.insert(args.end(), {"--ready-fd", "3"});
  if (slirp.netns_type) {
    args.push_back("--netns-type=path");
    args.push_back("/proc/" + std::to_string(holder) + "/ns/net");
  } else {
    args.push_back(std::to_string(holder));
  }
  args.push_back("tap0");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int null_fd = ::open("/dev/null", O_RDWR);
  if (null_fd < 0 || ::dup2(null_fd, 0) < 0 || ::dup2(log_fd, 1) < 0 || ::dup2(log_fd, 2) < 0 ||
      ::dup2(ready_fd, 3) < 0)
    ::_exit(1);
  ::syscall(SYS_close_range, 4, ~0U, 0);
  ::execv(argv[0], argv.data());
  ::_exit(127);
}

// pasta, the other way out (containers.conf's default_rootless_network_cmd = "pasta"), started
// as slirp4netns is: it waits for "go", opens the holder's new network namespace while it still
// has its capabilities (pasta drops them before it opens a namespace it is named: pasta.h), and
// execs pasta on that fd.
[[noreturn]] void exec_pasta(const std::string& pasta, pid_t holder, int go_fd, int log_fd) {
  wait_for_go(go_fd);
  const std::string ns_path = "/proc/" + std::to_string(holder) + "/ns/net";
  const int opened = ::open(ns_path.c_str(), O_RDONLY);
  const int ns = opened < 0 ? -1 : ::fcntl(opened, F_DUPFD, 10);  // above stdio, kept on exec
  if (ns < 0) ::_exit(1);
  std::vector<std::string> args = {pasta,     "--config-net", "--foreground",
                                   "--quiet", "--runas",      "0:0",
                                   "--netns", "/proc/self/fd/" + std::to_string(ns)};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int null_fd = ::open("/dev/null", O_RDWR);
  if (null_fd < 0 || ::dup2(null_fd, 0) < 0 || ::dup2(log_fd, 1) < 0 || ::dup2(log_fd, 2) < 0)
    ::_exit(1);
  ::syscall(SYS_close_range, 3, ns - 1, 0);
  ::syscall(SYS_close_range, ns + 1, ~0U, 0);
  ::execv(argv[0], argv.data());
  ::_exit(127);
}

// How the holder's namespace reaches the outside.
struct WayOut {
  bool pasta = false;
  Slirp4netnsBinary slirp;  // when !pasta
  std::string pasta_path;   // when pasta
  std::string log_name() const { return pasta ? "pasta.log" : "slirp4netns.log"; }
  std::string name() const { return pasta ? "pasta" : "slirp4netns"; }
};

// The holder's life, as PID 1 of its PID namespace. Reports "ok" (or what failed) on report_fd.
[[noreturn]] void run_holder(const std::string& dir, const WayOut& way_out, int pid_fd,
                             int report_fd) {
  set_process_title(kTitle);
  // Joinable (its /proc/PID/ns files) even when the caller changed its uids.
  ::prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
  pid_t self = -1;  // as the caller's PID namespace sees it
  if (::read(pid_fd, &self, sizeof self) != sizeof self) holder_fail(report_fd, "read its pid");
  UniqueFd log(::open((dir + "/" + way_out.log_name()).c_str(),
                      O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  if (!log.valid()) holder_fail(report_fd, "open " + way_out.log_name());
  Pipe go = Pipe::make();
  Pipe ready = Pipe::make();
  pid_t slirp_pid = ::fork();  // slirp4netns or pasta
  if (slirp_pid < 0) holder_fail(report_fd, "fork");
  if (slirp_pid == 0) {
    if (way_out.pasta) exec_pasta(way_out.pasta_path, self, go.read.get(), log.get());
    exec_slirp(way_out.slirp, self, go.read.get(), ready.write.get(), log.get());
  }
  go.read.reset();
  ready.write.reset();
  if (::unshare(CLONE_NEWNET | CLONE_NEWNS) != 0) holder_fail(report_fd, "unshare");
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr) != 0)
    holder_fail(report_fd, "make / a slave mount");
  // aardvark-dns forwards what is not a container's name to the first nameserver it reads.
  if (::access("/etc/resolv.conf", F_OK) == 0 &&
      ::mount((dir + "/resolv.conf").c_str(), "/etc/resolv.conf", nullptr, MS_BIND, nullptr) != 0)
    holder_fail(report_fd, "bind resolv.conf");
  try {
    bring_loopback_up_child();
  } catch (const std::exception& e) {
    holder_fail(report_fd, e.what());
  }
  if (::write(go.write.get(), "g", 1) != 1) holder_fail(report_fd, "start " + way_out.name());
  go.write.reset();
  if (way_out.pasta) {
    // Ready once pasta --config-net set the default route (its last step); an early exit fails.
    int waited = 0;
    while (!has_default_route(self)) {
      int status;
      if (::waitpid(slirp_pid, &status, WNOHANG) == slirp_pid || waited >= kReadyTimeoutMs) {
        errno = ETIMEDOUT;
        holder_fail(report_fd, "pasta did not configure the namespace (see " + dir + "/pasta.log)");
      }
      ::poll(nullptr, 0, 2);
      waited += 2;
    }
  } else {
    struct pollfd p = {ready.read.get(), POLLIN, 0};
    char byte = 0;
    if (::poll(&p, 1, kReadyTimeoutMs) != 1 || ::read(ready.read.get(), &byte, 1) != 1) {
      errno = ETIMEDOUT;
      holder_fail(report_fd, "slirp4netns did not configure tap0 (see " + dir + "/slirp4netns.log)");
    }
  }
  if (::write(report_fd, "ok", 2) != 2) ::_exit(1);
  int null_fd = ::open("/dev/null", O_RDWR);
  for (int fd = 0; fd < 3; ++fd) ::dup2(null_fd, fd);
  ::syscall(SYS_close_range, 3, ~0U, 0);
  if (::chdir("/") != 0) ::_exit(1);
  ::signal(SIGHUP, SIG_IGN);
  ::signal(SIGINT, SIG_IGN);
  ::signal(SIGPIPE, SIG_IGN);
  // Reaps every orphan of the namespace (aardvark-dns's middle process); without slirp4netns it
  // has no way out, and ends (taking every process of the namespace with it). Every few seconds
  // it looks at its members: when none is alive (their owners SIGKILLed), it ends too.
  for (;;) {
    ::poll(nullptr, 0, kIdleCheckMs);
    int status;
    pid_t pid;
    while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0)
      if (pid == slirp_pid) ::_exit(1);
    if (pid < 0 && errno == ECHILD) ::_exit(1);
    if (holder_idle(dir)) ::_exit(0);
  }
}

// The host's nameservers but its loopback ones (a resolver on the host's 127.0.0.53 is not
// reachable from the namespace), for aardvark-dns behind pasta.
std::string host_nameservers() {
  std::string text, out;
  if (!read_file_if_exists("/etc/resolv.conf", text)) return out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string key, address;
    if (words >> key >> address && key == "nameserver" && address.rfind("127.", 0) != 0 &&
        address != "::1")
      out += "nameserver " + address + "\n";
  }
  return out;
}

pid_t create_holder(const std::string& dir, bool via_pasta) {
  WayOut way_out;
  way_out.pasta = via_pasta;
  if (via_pasta)
    way_out.pasta_path = find_pasta();
  else
    way_out.slirp = find_slirp4netns();
  check_tun_usable();
  kill_holder(dir, -1);  // leftovers of a SIGKILLed one
  write_file_atomic(dir + "/resolv.conf", via_pasta ? host_nameservers() : "nameserver 10.0.2.3\n",
                    Sync::kNone);
  Pipe to_holder = Pipe::make();  // middle -> holder: the holder's pid as we see it
  Pipe to_us = Pipe::make();      // middle -> us: the same
  Pipe report = Pipe::make();     // holder -> us: "ok" once slirp4netns is ready, or the failure
  pid_t middle_pid = ::fork();
  if (middle_pid < 0) throw_errno("fork");
  if (middle_pid == 0) {
    ::setsid();
    if (::unshare(CLONE_NEWPID) != 0) holder_fail(report.write.get(), "unshare(CLONE_NEWPID)");
    pid_t holder = ::fork();
    if (holder == 0) {
      to_holder.write.reset();
      to_us.read.reset();
      report.read.reset();
      run_holder(dir, way_out, to_holder.read.get(), report.write.get());
    }
    if (holder < 0) holder_fail(report.write.get(), "fork");
    // The middle process only hands the holder to init.
    ssize_t ignored = ::write(to_holder.write.get(), &holder, sizeof holder);
    ignored = ::write(to_us.write.get(), &holder, sizeof holder);
    (void)ignored;
    ::_exit(0);
  }
  ChildProcess middle(middle_pid);
  to_holder.read.reset();
  to_us.write.reset();
  report.write.reset();
  pid_t holder = -1;
  if (::read(to_us.read.get(), &holder, sizeof holder) != sizeof holder) holder = -1;
  middle.wait();
  std::string answer;
  struct pollfd p = {report.read.get(), POLLIN, 0};
  if (holder > 0 && ::poll(&p, 1, kReadyTimeoutMs + 2000) == 1) answer = read_all(report.read.get());
  if (answer != "ok") {
    kill_holder(dir, holder);
    throw Error(Errc::kFailed,
                "cannot start the network namespace of the user's networks" +
                    (answer.empty() ? std::string() : ": " + answer),
                0, way_out.name() + "'s log is " + dir + "/" + way_out.log_name());
  }
  write_file_atomic(dir + "/holder.pid", pid_record(holder), Sync::kNone);
  log_debug("started the network namespace holder, pid " + std::to_string(holder));
  return holder;
}

// Members whose owner is gone (SIGKILLed) are removed; returns how many live ones are left.
size_t prune_members(const std::string& dir) {
  size_t live = 0;
  for (const std::string& name : list_directory(dir + "/members")) {
    std::string text;
    if (read_file_if_exists(dir + "/members/" + name, text) && live_pid(text) > 0)
      ++live;
    else
      ::unlink((dir + "/members/" + name).c_str());
  }
  return live;
}

}  // namespace

std::string netns_holder_dir() {
  const std::string base = pause_runtime_dir();
  if (base.empty()) return "";
  const std::string dir = base + "/netns";
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return "";
  make_dirs(dir + "/members", 0700);
  return dir;
}

pid_t join_netns_holder(const std::string& member, bool via_pasta) {
  const std::string dir = netns_holder_dir();
  if (dir.empty())
    throw Error(Errc::kUnsupported, "networks need a private runtime directory for their namespace",
                0, "set XDG_RUNTIME_DIR to a directory of yours (mode 0700), or leave /tmp writable");
  FileLock lock = lock_dir(dir);
  bool stale = false;
  pid_t holder = trusted_holder(dir, &stale);
  if (holder < 0 || stale) {
    if (stale) kill_holder(dir, holder);
    prune_members(dir);
    holder = create_holder(dir, via_pasta);
  }
  write_file_atomic(dir + "/members/" + member, pid_record(::getpid()), Sync::kNone);
  return holder;
}

void leave_netns_holder(const std::string& member) noexcept {
  try {
    const std::string dir = netns_holder_dir();
    if (dir.empty()) return;
    FileLock lock = lock_dir(dir);
    ::unlink((dir + "/members/" + member).c_str());
    if (prune_members(dir) > 0) return;
    bool stale = false;
    pid_t holder = trusted_holder(dir, &stale);
    if (holder > 0) log_debug("the last container left the networks: stopping their namespace");
    kill_holder(dir, holder);
  } catch (const std::exception& e) {
    log_debug(std::string("leaving the networks' namespace: ") + e.what());
  }
}

pid_t running_netns_holder() {
  const std::string dir = netns_holder_dir();
  if (dir.empty()) return -1;
  bool stale = false;
  return trusted_holder(dir, &stale);
}

}  // namespace dabba::runner
