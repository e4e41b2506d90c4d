#include "runner/net/tcp_relay.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "common/error.h"
#include "runner/net/guest_address.h"
#include "runner/net/port_relay.h"

namespace dabba::runner {
namespace {

constexpr uint64_t kListenerTag = uint64_t{1} << 63;  // epoll data of a listener: tag | index
constexpr size_t kFdsPerConnection = 6;               // two sockets, two pipes
constexpr size_t kConnectionLimit = 16384;
constexpr size_t kSpliceMax = size_t{1} << 20;  // more than any pipe holds
constexpr size_t kBudget = size_t{1} << 20;     // bytes per direction per round
constexpr int kPipeBytes = 256 * 1024;          // fewer splice calls than the default 64 KiB

void set_no_delay(int fd) {
  // Bytes go on as they come: a relay must not add Nagle's delay to small writes.
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

void set_reset_on_close(int fd) {
  struct linger l = {1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
}

size_t connection_limit() {
  struct rlimit r;
  if (::getrlimit(RLIMIT_NOFILE, &r) != 0 || r.rlim_cur == RLIM_INFINITY) return kConnectionLimit;
  size_t fds = static_cast<size_t>(r.rlim_cur);
  return std::clamp<size_t>(fds > 64 ? (fds - 64) / kFdsPerConnection : 1, 1, kConnectionLimit);
}

}  // namespace

TcpRelay::TcpRelay(std::vector<int> listeners, std::vector<uint16_t> container_ports,
                   const struct in_addr& guest)
    : listeners_(std::move(listeners)),
      container_ports_(std::move(container_ports)),
      guest_(guest),
      epoll_(DABBA_SYSCALL(::epoll_create1(EPOLL_CLOEXEC), "epoll_create1")),
      max_connections_(connection_limit()) {
  for (size_t i = 0; i < listeners_.size(); ++i) {
    struct epoll_event ev = {};
    ev.events = EPOLLIN | EPOLLET;
    ev.data.u64 = kListenerTag | i;
    DABBA_SYSCALL(::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, listeners_[i], &ev), "epoll_ctl");
  }
}

void TcpRelay::run() {
  struct epoll_event events[64];
  int n;
  do {
    n = ::epoll_wait(epoll_.get(), events, 64, 0);
  } while (n < 0 && errno == EINTR);
  for (int k = 0; k < n; ++k) {
    uint64_t tag = events[k].data.u64;
    if (tag & kListenerTag)
      accept_from(static_cast<size_t>(tag & ~kListenerTag));
    else
      serve(tag);
  }
  std::vector<uint64_t> again;
  again.swap(again_);
  for (uint64_t id : again) {
    auto it = connections_.find(id);
    if (it == connections_.end()) continue;
    it->second.again = false;
    serve(id);
  }
  if (accept_paused_ && connections_.size() < max_connections_) {
    accept_paused_ = false;
    for (size_t i = 0; i < listeners_.size(); ++i) accept_from(i);
  }
}

void TcpRelay::accept_from(size_t listener) {
  for (;;) {
    if (connections_.size() >= max_connections_) {
      accept_paused_ = true;  // the kernel's backlog holds the rest until one closes
      return;
    }
    int fd = ::accept4(listeners_[listener], nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      open(UniqueFd(fd), listener);
      continue;
    }
    switch (errno) {
      case EINTR:
      case ECONNABORTED:
        continue;
      case EAGAIN:
        return;
      case EMFILE:
      case ENFILE:
      case ENOBUFS:
      case ENOMEM:
        if (!accept_paused_) relay_log(std::string("accept: ") + std::strerror(errno));
        accept_paused_ = true;  // tried again in a while (PortRelay's loop)
        return;
      default:
        relay_log(std::string("accept: ") + std::strerror(errno));
        return;
    }
  }
}

void TcpRelay::open(UniqueFd host, size_t listener) {
  Connection c;
  c.host = std::move(host);
  c.guest = UniqueFd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!c.guest.valid()) {
    relay_log(std::string("TCP socket towards the container: ") + std::strerror(errno));
    set_reset_on_close(c.host.get());
    return;
  }
  set_no_delay(c.host.get());
  set_no_delay(c.guest.get());
  refresh_guest_address(guest_);  // a network connect/disconnect may have moved it
  struct sockaddr_in to;
  std::memset(&to, 0, sizeof to);
  to.sin_family = AF_INET;
  to.sin_addr = guest_;
  to.sin_port = htons(container_ports_[listener]);
  if (::connect(c.guest.get(), reinterpret_cast<struct sockaddr*>(&to), sizeof to) != 0 &&
      errno != EINPROGRESS) {
    set_reset_on_close(c.host.get());  // e.g. ECONNREFUSED right away
    return;
  }
  try {
    c.up.pipe = Pipe::make(O_NONBLOCK);
    c.down.pipe = Pipe::make(O_NONBLOCK);
  } catch (const Error& e) {
    relay_log(std::string("pipe: ") + e.what());
    set_reset_on_close(c.host.get());
    return;
  }
  ::fcntl(c.up.pipe.write.get(), F_SETPIPE_SZ, kPipeBytes);  // a smaller pipe works too
  ::fcntl(c.down.pipe.write.get(), F_SETPIPE_SZ, kPipeBytes);
  c.up.from = c.down.to = c.host.get();
  c.up.to = c.down.from = c.guest.get();
  const uint64_t id = next_id_++;
  for (int fd : {c.host.get(), c.guest.get()}) {
    struct epoll_event ev = {};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.u64 = id;
    if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) != 0) {
      relay_log(std::string("epoll_ctl: ") + std::strerror(errno));
      set_reset_on_close(c.host.get());
      return;
    }
  }
  connections_.emplace(id, std::move(c));
  serve(id);
}

void TcpRelay::serve(uint64_t id) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  Connection& c = it->second;
  if (!c.connected) {
    int err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(c.guest.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
    if (err != 0) return close(id, true);  // refused (nothing listens there), unreachable, ...
    struct sockaddr_in peer;
    socklen_t peer_len = sizeof peer;
    if (::getpeername(c.guest.get(), reinterpret_cast<struct sockaddr*>(&peer), &peer_len) != 0)
      return;  // still connecting: its EPOLLOUT (or EPOLLERR) comes
    c.connected = true;
  }
  Pumped up = pump(c.up, kBudget);
  Pumped down = pump(c.down, kBudget);
  if (up == Pumped::kFailed || down == Pumped::kFailed) return close(id, true);
  if (c.up.done && c.down.done) return close(id, false);
  if ((up == Pumped::kMore || down == Pumped::kMore) && !c.again) {
    c.again = true;
    again_.push_back(id);
  }
}

TcpRelay::Pumped TcpRelay::pump(Flow& f, size_t budget) {
  for (;;) {
    if (f.queued > 0) {
      ssize_t n = ::splice(f.pipe.read.get(), nullptr, f.to, nullptr, f.queued,
                           SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
      if (n < 0) {
        if (errno == EINTR) continue;
        return errno == EAGAIN ? Pumped::kWaiting : Pumped::kFailed;  // EPIPE, ECONNRESET, ...
      }
      f.queued -= static_cast<size_t>(n);
      continue;
    }
    if (f.eof) {
      if (!f.done) {
        ::shutdown(f.to, SHUT_WR);  // a failure shows as an error on the socket soon enough
        f.done = true;
      }
      return Pumped::kWaiting;
    }
    // The pipe is empty: only now read more (backpressure). A round ends with an empty pipe.
    if (budget == 0) return Pumped::kMore;
    ssize_t n = ::splice(f.from, nullptr, f.pipe.write.get(), nullptr, kSpliceMax,
                         SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno == EAGAIN ? Pumped::kWaiting : Pumped::kFailed;
    }
    if (n == 0) {
      f.eof = true;
      continue;
    }
    f.queued = static_cast<size_t>(n);
    budget -= std::min(budget, static_cast<size_t>(n));
  }
}

void TcpRelay::close(uint64_t id, bool reset) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  if (reset) {
    set_reset_on_close(it->second.host.get());
    set_reset_on_close(it->second.guest.get());
  }
  connections_.erase(it);  // closing the fds takes them out of the epoll set
}

}  // namespace dabba::runner
