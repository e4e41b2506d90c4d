#include "runner/net/slirp.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/subprocess.h"

extern char** environ;

namespace dabba::runner {
namespace {

using Clock = std::chrono::steady_clock;

// Which of the long options the binary knows, without running it: getopt's option table holds
// each name as a NUL-terminated string. A spawn of `slirp4netns --help` costs a process per
// container start; the binary is ~80 KB, mapped and scanned once for all the options.
std::vector<bool> binary_has_options(const std::string& path,
                                     const std::vector<std::string_view>& options) {
  std::vector<bool> found(options.size(), false);
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  struct stat st;
  if (!fd.valid() || ::fstat(fd.get(), &st) != 0 || st.st_size <= 0 ||
      st.st_size > 64 * 1024 * 1024)
    return found;
  size_t size = static_cast<size_t>(st.st_size);
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd.get(), 0);
  if (map == MAP_FAILED) return found;
  const char* data = static_cast<const char*>(map);
  for (size_t i = 0; i < options.size(); ++i) {
    std::string needle(options[i]);
    needle.push_back('\0');
    // Preceded by NUL too: "enable-sandbox" must not match inside a longer name.
    for (const char* p = data; (p = static_cast<const char*>(
                                    ::memmem(p, size - (p - data), needle.data(), needle.size())));
         ++p) {
      if (p == data || p[-1] == '\0') {
        found[i] = true;
        break;
      }
    }
  }
  ::munmap(map, size);
  return found;
}

std::string errno_name(int err) { return std::strerror(err); }

}  // namespace

Slirp4netnsBinary find_slirp4netns() {
  Slirp4netnsBinary b;
  const char* env = std::getenv("DABBA_SLIRP4NETNS");
  b.path = find_program(env && *env ? env : "slirp4netns");
  if (b.path.empty())
    throw Error(Errc::kNotFound,
                std::string("slirp4netns not found") +
                    (env && *env ? std::string(" at $DABBA_SLIRP4NETNS (") + env + ")"
                                 : std::string(" in PATH")) +
                    ": --network slirp4netns (the default) needs it",
                0,
                "install the Debian package slirp4netns (sudo apt-get install slirp4netns), "
                "or run with --network none or --network host");
  std::vector<bool> has =
      binary_has_options(b.path, {"enable-sandbox", "enable-seccomp", "netns-type"});
  b.sandbox = has[0];
  b.seccomp = has[1];
  b.netns_type = has[2];
  return b;
}

void check_tun_usable() {
  int fd = ::open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (fd >= 0) {
    ::close(fd);
    return;
  }
  int err = errno;
  if (err == ENOENT || err == ENXIO || err == ENODEV)
    throw Error(Errc::kUnsupported, "/dev/net/tun is missing: slirp4netns needs a tap device", err,
                "load the tun module (sudo modprobe tun), or run with --network none or host");
  struct stat st;
  std::string mode;
  if (::stat("/dev/net/tun", &st) == 0) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04o", st.st_mode & 07777);
    mode = std::string(" (mode ") + buf + ")";
  }
  throw Error(errc_from_errno(err), "cannot open /dev/net/tun" + mode, err,
              "slirp4netns needs it to give the container a network: sudo chmod 0666 "
              "/dev/net/tun (or run with --network none or host)");
}

Slirp4netns Slirp4netns::start(const Slirp4netnsBinary& binary, const Slirp4netnsConfig& c) {
  Slirp4netns s;
  s.dir_path_ = c.dir;
  s.socket_name_ = c.socket_name;
  s.log_path_ = c.log_path;
  s.dir_ = UniqueFd(DABBA_SYSCALL(::open(c.dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC), c.dir));
  // A socket left by an owner that was killed would make its bind fail.
  ::unlinkat(s.dir_.get(), c.socket_name.c_str(), 0);

  std::vector<std::string> args = {binary.path, "--configure", "--mtu",
                                   std::to_string(c.options.mtu)};
  if (!c.options.allow_host_loopback) args.push_back("--disable-host-loopback");
  if (binary.sandbox) args.push_back("--enable-sandbox");
  if (binary.seccomp) args.push_back("--enable-seccomp");
  if (!c.options.cidr.empty()) args.push_back("--cidr=" + c.options.cidr);
  if (c.options.enable_ipv6) args.push_back("--enable-ipv6");
  if (!c.options.outbound_addr.empty())
    args.push_back("--outbound-addr=" + c.options.outbound_addr);
  if (!c.options.outbound_addr6.empty())
    args.push_back("--outbound-addr6=" + c.options.outbound_addr6);
  args.insert(args.end(), {"--ready-fd", "3", "--exit-fd", "4", "--api-socket", c.socket_name});
  // Given a pid, slirp4netns also joins that process's user namespace, which for --userns is a
  // nested one without rights over the network namespace (owned by ours): name the namespace by
  // its path, so slirp4netns joins it alone.
  if (binary.netns_type) {
    args.push_back("--netns-type=path");
    args.push_back("/proc/" + std::to_string(c.netns_pid) + "/ns/net");
  } else {
    args.push_back(std::to_string(c.netns_pid));
  }
  args.push_back("tap0");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  Pipe ready = Pipe::make();
  Pipe exit = Pipe::make();
  UniqueFd log(DABBA_SYSCALL(
      ::open(c.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640), c.log_path));
  struct stat log_st;
  if (::fstat(log.get(), &log_st) == 0) s.log_start_ = static_cast<size_t>(log_st.st_size);
  UniqueFd null(DABBA_SYSCALL(::open("/dev/null", O_RDONLY | O_CLOEXEC)));
  // The child's fds come from numbers above its targets, so no dup2 is a no-op that would leave
  // O_CLOEXEC set on a target.
  auto high = [](int fd) { return UniqueFd(DABBA_SYSCALL(::fcntl(fd, F_DUPFD_CLOEXEC, 10))); };
  UniqueFd ready_w = high(ready.write.get()), exit_r = high(exit.read.get());
  UniqueFd log_h = high(log.get()), null_h = high(null.get());

  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  ::posix_spawn_file_actions_init(&fa);
  ::posix_spawnattr_init(&attr);
  ::posix_spawn_file_actions_adddup2(&fa, null_h.get(), 0);
  ::posix_spawn_file_actions_adddup2(&fa, log_h.get(), 1);
  ::posix_spawn_file_actions_adddup2(&fa, log_h.get(), 2);
  ::posix_spawn_file_actions_adddup2(&fa, ready_w.get(), 3);
  ::posix_spawn_file_actions_adddup2(&fa, exit_r.get(), 4);
  // Nothing else crosses (they are O_CLOEXEC anyway; this also covers fds a library left open).
  ::posix_spawn_file_actions_addclosefrom_np(&fa, 5);
  ::posix_spawn_file_actions_addchdir_np(&fa, c.dir.c_str());
  // The caller blocks signals for its relay; slirp4netns gets a clean mask and default actions,
  // and a session of its own so the terminal's SIGINT reaches only the container.
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  ::posix_spawnattr_setsigmask(&attr, &none);
  ::posix_spawnattr_setsigdefault(&attr, &all);
  ::posix_spawnattr_setflags(&attr,
                             POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSID);
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, binary.path.c_str(), &fa, &attr, argv.data(), environ);
  ::posix_spawn_file_actions_destroy(&fa);
  ::posix_spawnattr_destroy(&attr);
  if (rc != 0)
    throw Error(errc_from_errno(rc), "start " + binary.path + ": " + errno_name(rc), rc,
                "check that slirp4netns runs: " + binary.path + " --version");
  s.child_ = ChildProcess(pid);
  s.ready_ = std::move(ready.read);
  s.exit_ = std::move(exit.write);
  log_debug("slirp4netns started (pid " + std::to_string(pid) + ") for the network namespace of " +
            std::to_string(c.netns_pid));
  return s;
}

void Slirp4netns::wait_ready(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0)
      throw Error(Errc::kFailed,
                  "slirp4netns did not set up the container's network within " +
                      std::to_string(timeout.count() / 1000) + " s" + log_tail(),
                  0, "its log: " + log_path_);
    struct pollfd p = {ready_.get(), POLLIN, 0};
    int n = ::poll(&p, 1, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("wait for slirp4netns");
    if (n == 0) continue;
    char byte = 0;
    ssize_t r = ::read(ready_.get(), &byte, 1);
    if (r < 0 && errno == EINTR) continue;
    if (r == 1 && byte == '1') {
      ready_.reset();
      return;
    }
    // EOF (or junk): it exited before it was ready.
    std::string how = " (" + child_.wait().describe() + ")";
    throw Error(Errc::kFailed,
                "slirp4netns failed to set up the container's network" + how + log_tail(), 0,
                "its log: " + log_path_);
  }
}

std::string Slirp4netns::api_socket_path() const {
  std::string direct = dir_path_ + "/" + socket_name_;
  if (direct.size() < 100) return direct;
  // The directory fd lends a short name to a long path.
  return "/proc/self/fd/" + std::to_string(dir_.get()) + "/" + socket_name_;
}

void Slirp4netns::remove_api_socket() noexcept {
  if (dir_.valid()) ::unlinkat(dir_.get(), socket_name_.c_str(), 0);
}

std::string Slirp4netns::log_tail() const {
  std::string text;
  try {
    read_file_if_exists(log_path_, text);
  } catch (const Error&) {
    return "";
  }
  text.erase(0, std::min(log_start_, text.size()));
  // The last lines say what went wrong ("open(/dev/net/tun): ...", "setns(CLONE_NEWNET): ...").
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(start, nl - start);
    if (!line.empty() && line.rfind("WARNING", 0) != 0) lines.push_back(line);
    start = nl + 1;
  }
  std::string out;
  for (size_t i = lines.size() > 3 ? lines.size() - 3 : 0; i < lines.size(); ++i)
    out += (out.empty() ? "" : "; ") + lines[i];
  return out.empty() ? "" : ": " + out;
}

void Slirp4netns::stop() noexcept {
  ready_.reset();
  exit_.reset();  // the hang-up it exits on, within a poll round: a second before SIGKILL
  child_.stop(0, std::chrono::seconds(1));
  // slirp4netns cannot remove it itself: its sandbox has no view of this directory.
  remove_api_socket();
  dir_.reset();
}

}  // namespace dabba::runner
