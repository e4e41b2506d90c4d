#include "runner/port_relay.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <utility>

#include "common/error.h"
#include "common/fs.h"
#include "runner/network_parse.h"
#include "runner/port_publish.h"

namespace dabba::runner {
namespace {

constexpr time_t kIdleSeconds = 120;  // a client silent this long is forgotten
constexpr size_t kMaxClients = 4096;  // per relay; the oldest goes first
constexpr size_t kDatagramMax = 65536;

time_t now_seconds() {
  struct timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec;
}

void say(const std::string& text) {
  std::string line = "dabba-udp-relay: " + text + "\n";
  ssize_t ignored = ::write(2, line.data(), line.size());
  (void)ignored;
}

struct Client {
  struct sockaddr_in addr;  // on the host
  size_t port = 0;          // index into the relay's ports
  UniqueFd fd;              // in the container's namespace, connected to guest:container_port
  time_t last = 0;
};

bool same_addr(const struct sockaddr_in& a, const struct sockaddr_in& b) {
  return a.sin_port == b.sin_port && a.sin_addr.s_addr == b.sin_addr.s_addr;
}

// The relay proper, already in the container's network namespace. Returns when the owner is gone.
void relay_loop(const std::vector<int>& hosts, const std::vector<PortMapping>& ports,
                const struct in_addr& guest, int exit_fd) {
  std::vector<Client> clients;
  std::vector<char> buf(kDatagramMax);
  std::vector<struct pollfd> fds;
  for (;;) {
    fds.clear();
    fds.push_back({exit_fd, POLLIN, 0});
    for (int h : hosts) fds.push_back({h, POLLIN, 0});
    for (const Client& c : clients) fds.push_back({c.fd.get(), POLLIN, 0});
    int n = ::poll(fds.data(), fds.size(), 10 * 1000);
    if (n < 0 && errno != EINTR) {
      say(std::string("poll: ") + std::strerror(errno));
      return;
    }
    const time_t now = now_seconds();
    if (n > 0 && fds[0].revents) return;  // hang-up (or anything) on the exit pipe
    // Container -> host first, while clients still matches fds.
    for (size_t k = 0; n > 0 && k < clients.size(); ++k) {
      if (!fds[1 + hosts.size() + k].revents) continue;
      Client& c = clients[k];
      for (int burst = 0; burst < 64; ++burst) {
        ssize_t got = ::recv(c.fd.get(), buf.data(), buf.size(), MSG_DONTWAIT);
        if (got < 0) break;
        c.last = now;
        ::sendto(hosts[c.port], buf.data(), static_cast<size_t>(got), MSG_DONTWAIT,
                 reinterpret_cast<const struct sockaddr*>(&c.addr), sizeof c.addr);
      }
    }
    // Host -> container.
    for (size_t i = 0; n > 0 && i < hosts.size(); ++i) {
      if (!fds[1 + i].revents) continue;
      for (int burst = 0; burst < 64; ++burst) {
        struct sockaddr_in from;
        socklen_t len = sizeof from;
        ssize_t got = ::recvfrom(hosts[i], buf.data(), buf.size(), MSG_DONTWAIT,
                                 reinterpret_cast<struct sockaddr*>(&from), &len);
        if (got < 0) break;
        auto it = std::find_if(clients.begin(), clients.end(), [&](const Client& c) {
          return c.port == i && same_addr(c.addr, from);
        });
        if (it == clients.end()) {
          if (clients.size() >= kMaxClients) {
            auto oldest =
                std::min_element(clients.begin(), clients.end(),
                                 [](const Client& a, const Client& b) { return a.last < b.last; });
            clients.erase(oldest);
          }
          Client c;
          c.addr = from;
          c.port = i;
          c.fd = UniqueFd(::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
          struct sockaddr_in to;
          std::memset(&to, 0, sizeof to);
          to.sin_family = AF_INET;
          to.sin_addr = guest;
          to.sin_port = htons(ports[i].container_port);
          if (!c.fd.valid() ||
              ::connect(c.fd.get(), reinterpret_cast<struct sockaddr*>(&to), sizeof to) != 0) {
            say(std::string("socket towards the container: ") + std::strerror(errno));
            continue;
          }
          clients.push_back(std::move(c));
          it = clients.end() - 1;
        }
        it->last = now;
        // ECONNREFUSED (nothing listens yet) and the like lose the datagram, as UDP may.
        ::send(it->fd.get(), buf.data(), static_cast<size_t>(got), MSG_DONTWAIT);
      }
    }
    clients.erase(std::remove_if(clients.begin(), clients.end(),
                                 [&](const Client& c) { return now - c.last > kIdleSeconds; }),
                  clients.end());
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

// The forked child. Never returns.
[[noreturn]] void relay_child(pid_t owner, const std::vector<int>& hosts,
                              const std::vector<PortMapping>& ports, const struct in_addr& guest,
                              int exit_fd, int status_fd, int netns_fd, int log_fd) noexcept {
  // Dies with its owner even if the exit pipe somehow stayed open.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != owner) ::_exit(0);
  ::setsid();
  ::prctl(PR_SET_NAME, "dabba-udp-relay");
  int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null >= 0) {
    ::dup2(null, 0);
    ::dup2(null, 1);
  }
  if (log_fd >= 0) ::dup2(log_fd, 2);
  std::vector<int> keep = {0, 1, 2, exit_fd, status_fd, netns_fd};
  keep.insert(keep.end(), hosts.begin(), hosts.end());
  close_all_but(keep);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int h : hosts) ::fcntl(h, F_SETFL, ::fcntl(h, F_GETFL) | O_NONBLOCK);

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
  ssize_t ignored = ::write(status_fd, "k", 1);
  (void)ignored;
  ::close(status_fd);
  try {
    relay_loop(hosts, ports, guest, exit_fd);
  } catch (...) {
    say("unexpected failure");
  }
  ::_exit(0);
}

}  // namespace

UdpPortRelay::UdpPortRelay(UdpPortRelay&& o) noexcept
    : pid_(std::exchange(o.pid_, -1)), pidfd_(std::move(o.pidfd_)), exit_(std::move(o.exit_)) {}

UdpPortRelay UdpPortRelay::start(pid_t netns_pid, const std::vector<PortMapping>& ports,
                                 const std::string& guest_addr, const std::string& log_path) {
  std::vector<UniqueFd> hosts;
  std::vector<int> host_fds;
  for (const PortMapping& p : ports) {
    hosts.push_back(bind_udp_host_port(p));
    host_fds.push_back(hosts.back().get());
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
  if (pid < 0) throw_errno("fork the UDP port relay");
  if (pid == 0)
    relay_child(owner, host_fds, ports, guest, exit.read.get(), status.write.get(), netns.get(),
                log.get());

  UdpPortRelay r;
  r.pid_ = pid;
  r.pidfd_ = UniqueFd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  r.exit_ = std::move(exit.write);
  status.write.reset();
  // "k" once it is in the namespace; else why not (and it exits).
  std::string answer = read_all(status.read.get());
  if (answer != "k") {
    r.stop();
    throw Error(Errc::kFailed,
                "the UDP port relay failed" + (answer.empty() ? std::string() : ": " + answer));
  }
  return r;
}

void UdpPortRelay::stop() noexcept {
  exit_.reset();
  if (pid_ <= 0) return;
  bool gone = false;
  if (pidfd_.valid()) {
    struct pollfd p = {pidfd_.get(), POLLIN, 0};
    int n;
    do {
      n = ::poll(&p, 1, 1000);
    } while (n < 0 && errno == EINTR);
    gone = n == 1;
  }
  if (!gone) ::kill(pid_, SIGKILL);
  int status;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  pidfd_.reset();
}

}  // namespace dabba::runner
