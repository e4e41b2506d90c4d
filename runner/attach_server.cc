#include "runner/attach_server.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "common/error.h"
#include "runner/container.h"
#include "runner/io_relay.h"

namespace dabba::runner {
namespace {

constexpr const char* kSocketName = "attach";
// What a client may have queued before it is dropped, and how much client input the container's
// stdin may have waiting before clients are no longer read (backpressure, not a drop).
constexpr size_t kClientBacklog = 1024 * 1024;
constexpr size_t kInputBacklog = 64 * 1024;
constexpr int kMaxClients = 16;

// The socket's address through the container directory's fd: short whatever the store's path.
struct DirAddress {
  UniqueFd dir;
  sockaddr_un addr{};
  explicit DirAddress(const std::string& container_dir) {
    dir.reset(::open(container_dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!dir.valid()) throw_errno("open " + container_dir);
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "/proc/self/fd/%d/%s", dir.get(),
                  kSocketName);
  }
};

}  // namespace

std::string attach_socket_path(const std::string& container_dir) {
  return container_dir + "/" + kSocketName;
}

UniqueFd connect_attach_socket(const std::string& container_dir) {
  DirAddress a(container_dir);
  UniqueFd fd(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
  if (!fd.valid()) throw_errno("socket");
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&a.addr), sizeof a.addr) < 0)
    throw_errno("connect to " + attach_socket_path(container_dir));
  return fd;
}

AttachServer::AttachServer(const std::string& container_dir, bool tty, bool stdin_open)
    : path_(attach_socket_path(container_dir)), tty_(tty), stdin_open_(stdin_open) {
  DirAddress a(container_dir);
  listener_.reset(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!listener_.valid()) throw_errno("socket");
  ::unlinkat(a.dir.get(), kSocketName, 0);  // an earlier owner's (killed, or a restart)
  // Only the user: the socket is a way into the container.
  const mode_t old_umask = ::umask(0177);
  const int bound =
      ::bind(listener_.get(), reinterpret_cast<const sockaddr*>(&a.addr), sizeof a.addr);
  ::umask(old_umask);
  if (bound < 0) throw_errno("bind " + path_);
  DABBA_SYSCALL(::listen(listener_.get(), kMaxClients), path_);
}

AttachServer::~AttachServer() {
  for (Client& c : clients_) c.fd.reset();
  ::unlink(path_.c_str());
}

size_t AttachServer::add(std::vector<pollfd>& fds, const IoRelay& io) {
  const size_t first = fds.size();
  listener_slot_ = first;
  fds.push_back({listener_.get(), POLLIN, 0});
  const bool take_input = io.input_backlog() < kInputBacklog;
  for (const Client& c : clients_) {
    short events = take_input ? POLLIN : 0;
    if (!c.queue.empty()) events |= POLLOUT;
    fds.push_back({c.fd.get(), events, 0});
  }
  return first;
}

void AttachServer::handle(const std::vector<pollfd>& fds, size_t first, IoRelay& io,
                          ContainerProcess& container) {
  // Clients first (their slots follow the listener's in add()'s order), then new ones.
  size_t slot = first + 1;
  std::vector<Client> kept;
  for (Client& c : clients_) {
    const short re = slot < fds.size() ? fds[slot].revents : 0;
    ++slot;
    bool alive = c.fd.valid();
    if (alive && (re & POLLOUT)) alive = flush(c);
    if (alive && (re & (POLLIN | POLLHUP | POLLERR))) alive = read_client(c, io, container);
    if (alive) kept.push_back(std::move(c));
  }
  clients_ = std::move(kept);
  if (fds[first].revents & POLLIN) accept_clients();
}

void AttachServer::accept_clients() {
  std::erase_if(clients_, [](const Client& c) { return !c.fd.valid(); });
  for (;;) {
    UniqueFd fd(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
    if (!fd.valid()) return;  // EAGAIN, or a client that went away already
    if (clients_.size() >= static_cast<size_t>(kMaxClients)) continue;  // closed: refused
    Client c;
    c.fd = std::move(fd);
    send(c, std::string("H") + (tty_ ? '1' : '0') + (stdin_open_ ? '1' : '0'));
    clients_.push_back(std::move(c));
  }
}

void AttachServer::output(LogStream stream, std::string_view data) {
  if (clients_.empty()) return;
  const char type = stream == LogStream::kStderr ? 'e' : 'o';
  for (size_t at = 0; at < data.size(); at += kAttachMessageMax) {
    std::string message(1, type);
    message.append(data.substr(at, kAttachMessageMax));
    for (Client& c : clients_) send(c, message);
  }
  // A client whose backlog overflowed was closed by send(); handle() lets it go (its slot in the
  // poll set must stay until then).
}

void AttachServer::send(Client& c, std::string message) {
  if (!c.fd.valid()) return;
  if (c.queue.empty()) {
    ssize_t n = ::send(c.fd.get(), message.data(), message.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n >= 0) return;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      c.fd.reset();
      return;
    }
  }
  c.queued += message.size();
  c.queue.push_back(std::move(message));
  if (c.queued > kClientBacklog) c.fd.reset();  // too slow: dropped, never waited for
}

bool AttachServer::flush(Client& c) {
  while (c.fd.valid() && !c.queue.empty()) {
    const std::string& m = c.queue.front();
    ssize_t n = ::send(c.fd.get(), m.data(), m.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return true;
      c.fd.reset();
      break;
    }
    c.queued -= m.size();
    c.queue.pop_front();
  }
  return c.fd.valid();
}

bool AttachServer::read_client(Client& c, IoRelay& io, ContainerProcess& container) {
  char buf[kAttachMessageMax + 1];
  for (int i = 0; i < 8; ++i) {
    ssize_t n = ::recv(c.fd.get(), buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return true;
    if (n <= 0) return false;  // the client detached or died
    std::string_view payload(buf + 1, static_cast<size_t>(n - 1));
    switch (buf[0]) {
      case 'i':
        if (stdin_open_) io.send_input(payload);
        break;
      case 'c':
        if (stdin_open_) io.close_input();
        break;
      case 'w': {
        unsigned rows = 0, cols = 0;
        std::string text(payload);
        if (io.pty_master() >= 0 && std::sscanf(text.c_str(), "%u %u", &rows, &cols) == 2) {
          winsize ws{};
          ws.ws_row = static_cast<unsigned short>(rows);
          ws.ws_col = static_cast<unsigned short>(cols);
          ::ioctl(io.pty_master(), TIOCSWINSZ, &ws);
        }
        break;
      }
      case 's': {
        std::string text(payload);
        int sig = std::atoi(text.c_str());
        if (sig > 0 && sig < 65 && sig != SIGKILL && sig != SIGSTOP && sig != SIGCHLD)
          container.kill(sig);
        break;
      }
      default:
        return false;  // not one of ours
    }
    if (io.input_backlog() >= kInputBacklog) return true;
  }
  return true;
}

void AttachServer::container_exited(int exit_code) {
  using Clock = std::chrono::steady_clock;
  for (Client& c : clients_) send(c, "x" + std::to_string(exit_code));
  const auto deadline = Clock::now() + std::chrono::seconds(1);
  for (;;) {
    std::erase_if(clients_, [](const Client& c) { return !c.fd.valid() || c.queue.empty(); });
    if (clients_.empty()) break;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) break;
    std::vector<pollfd> fds;
    for (const Client& c : clients_) fds.push_back({c.fd.get(), POLLOUT, 0});
    if (::poll(fds.data(), fds.size(), static_cast<int>(left)) < 0 && errno != EINTR) break;
    for (size_t i = 0; i < clients_.size(); ++i)
      if (fds[i].revents) flush(clients_[i]);
  }
  clients_.clear();
}

}  // namespace dabba::runner
