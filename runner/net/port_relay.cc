#include "runner/net/port_relay.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <utility>

#include "common/error.h"
#include "common/process_title.h"
#include "common/fs.h"
#include "runner/net/port_publish.h"
#include "runner/net/tcp_relay.h"
#include "runner/net/udp_relay.h"

namespace dabba::runner {
namespace {

constexpr int kIdlePollMs = 10 * 1000;  // UDP clients are expired at least this often
constexpr int kRetryAcceptMs = 100;     // while accepting waits for fds

time_t now_seconds() {
  struct timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec;
}

// The relay proper, already in the container's network namespace. Returns when the owner is gone.
void relay_loop(TcpRelay& tcp, UdpRelay& udp, int exit_fd) {
  std::vector<struct pollfd> fds;
  for (;;) {
    fds.clear();
    fds.push_back({exit_fd, POLLIN, 0});
    fds.push_back({tcp.fd(), POLLIN, 0});
    udp.add_poll_fds(fds);
    int timeout = tcp.has_work() ? 0 : tcp.accept_paused() ? kRetryAcceptMs : kIdlePollMs;
    int n = ::poll(fds.data(), fds.size(), timeout);
    if (n < 0) {
      if (errno == EINTR) continue;
      relay_log(std::string("poll: ") + std::strerror(errno));
      return;
    }
    if (fds[0].revents) return;  // hang-up (or anything) on the exit pipe
    if (fds[1].revents || tcp.has_work() || tcp.accept_paused()) tcp.run();
    udp.handle(fds.data() + 2, now_seconds());
  }
}

// Closes every fd but keep (sorted), in ranges.
void close_all_but(std::vector<int> keep) {
  std::sort(keep.begin(), keep.end());
  unsigned next = 0;
  for (int fd : keep) {
    if (static_cast<unsigned>(fd) > next) ::close_range(next, static_cast<unsigned>(fd) - 1, 0);
    next = static_cast<unsigned>(fd) + 1;
  }
  ::close_range(next, ~0u, 0);
}

struct HostSockets {
  std::vector<int> tcp, udp;                   // fds, in the order of ports
  std::vector<uint16_t> tcp_ports, udp_ports;  // the container's ports they go to
};

// The forked child. Never returns.
[[noreturn]] void relay_child(pid_t owner, const HostSockets& hosts, const struct in_addr& guest,
                              int exit_fd, int status_fd, int netns_fd, int log_fd) noexcept {
  // Dies with its owner even if the exit pipe somehow stayed open.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != owner) ::_exit(0);
  ::setsid();
  // It enters the container's network namespace for good: not dumpable (nothing there may
  // ptrace it), and a command line of its own (the owner's may hold -e values).
  ::prctl(PR_SET_DUMPABLE, 0);
  set_process_title("dabba-port-relay");
  int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null >= 0) {
    ::dup2(null, 0);
    ::dup2(null, 1);
  }
  if (log_fd >= 0) ::dup2(log_fd, 2);
  std::vector<int> keep = {0, 1, 2, exit_fd, status_fd, netns_fd};
  keep.insert(keep.end(), hosts.tcp.begin(), hosts.tcp.end());
  keep.insert(keep.end(), hosts.udp.begin(), hosts.udp.end());
  close_all_but(keep);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  // A splice to a socket whose peer is gone must fail with EPIPE, not kill the relay.
  ::signal(SIGPIPE, SIG_IGN);
  // Each TCP connection costs six fds (two sockets, two pipes): allow what the hard limit allows.
  struct rlimit files;
  if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &files);
  }
  for (const auto* list : {&hosts.tcp, &hosts.udp})
    for (int h : *list) ::fcntl(h, F_SETFL, ::fcntl(h, F_GETFL) | O_NONBLOCK);

  // For good: a rootless relay could not come back to the host's namespace, and needs not (its
  // host sockets were made there already).
  if (::setns(netns_fd, CLONE_NEWNET) != 0) {
    std::string text =
        std::string("enter the container's network namespace: ") + std::strerror(errno);
    ssize_t ignored = ::write(status_fd, text.data(), text.size());
    (void)ignored;
    ::_exit(1);
  }
  ::close(netns_fd);
  bool reported = false;
  try {
    TcpRelay tcp(hosts.tcp, hosts.tcp_ports, guest);
    UdpRelay udp(hosts.udp, hosts.udp_ports, guest);
    ssize_t ignored = ::write(status_fd, "k", 1);
    (void)ignored;
    ::close(status_fd);
    reported = true;
    relay_loop(tcp, udp, exit_fd);
  } catch (const std::exception& e) {
    if (!reported) {
      std::string text = e.what();
      ssize_t ignored = ::write(status_fd, text.data(), text.size());
      (void)ignored;
    }
    relay_log(std::string("failed: ") + e.what());
    ::_exit(1);
  } catch (...) {
    relay_log("unexpected failure");
    ::_exit(1);
  }
  ::_exit(0);
}

}  // namespace

void relay_log(const std::string& text) noexcept {
  std::string line = "dabba-port-relay: " + text + "\n";
  ssize_t ignored = ::write(2, line.data(), line.size());
  (void)ignored;
}

PortRelay PortRelay::start(pid_t netns_pid, const std::vector<PortMapping>& ports,
                           const std::string& guest_addr, const std::string& log_path) {
  std::vector<UniqueFd> owned;
  HostSockets hosts;
  for (const PortMapping& p : ports) {
    owned.push_back(bind_host_port(p));
    bool tcp = p.protocol == PortProtocol::kTcp;
    (tcp ? hosts.tcp : hosts.udp).push_back(owned.back().get());
    (tcp ? hosts.tcp_ports : hosts.udp_ports).push_back(p.container_port);
  }
  struct in_addr guest;
  if (::inet_pton(AF_INET, guest_addr.c_str(), &guest) != 1)
    throw Error(Errc::kInvalidArgument, "bad container address " + guest_addr);
  std::string ns_path = "/proc/" + std::to_string(netns_pid) + "/ns/net";
  UniqueFd netns(DABBA_SYSCALL(::open(ns_path.c_str(), O_RDONLY | O_CLOEXEC), ns_path));
  UniqueFd log(::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640));
  Pipe exit = Pipe::make();
  Pipe status = Pipe::make();

  const pid_t owner = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) throw_errno("fork the port relay");
  if (pid == 0)
    relay_child(owner, hosts, guest, exit.read.get(), status.write.get(), netns.get(), log.get());

  PortRelay r;
  r.child_ = ChildProcess(pid);
  r.exit_ = std::move(exit.write);
  status.write.reset();
  // "k" once it is in the namespace and ready; else why not (and it exits).
  std::string answer = read_all(status.read.get());
  if (answer != "k") {
    r.stop();
    throw Error(Errc::kFailed,
                "the port relay failed" + (answer.empty() ? std::string() : ": " + answer));
  }
  return r;
}

void PortRelay::stop() noexcept {
  exit_.reset();  // the hang-up it exits on, within a poll round: a second before SIGKILL
  child_.stop(0, std::chrono::seconds(1));
}

}  // namespace dabba::runner
