#include "runner/sync_channel.h"

#include <fcntl.h>
#include <sys/socket.h>

#include <cstring>
#include <vector>

#include "common/error.h"

namespace dabba::runner {
namespace {

struct Header {
  uint32_t kind;
  int32_t code;
  int32_t error;
};

constexpr size_t kMaxText = 8192;

}  // namespace

SyncChannel::Pair SyncChannel::make() {
  int fds[2];
  DABBA_SYSCALL(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds));
  UniqueFd a(fds[0]);
  UniqueFd b(fds[1]);
  // Keep both ends above 0, 1 and 2 even when our caller runs with a standard fd closed: the child
  // dups its stdio onto 0-2 and must not clobber its sync end.
  for (UniqueFd* end : {&a, &b}) {
    if (end->get() > 2) continue;
    end->reset(DABBA_SYSCALL(::fcntl(end->get(), F_DUPFD_CLOEXEC, 3)));
  }
  return Pair{SyncChannel(std::move(a)), SyncChannel(std::move(b))};
}

bool SyncChannel::move_to(int to) noexcept {
  if (fd_.get() == to) return true;
  int moved = ::dup3(fd_.get(), to, O_CLOEXEC);
  if (moved < 0) return false;
  fd_.reset(moved);
  return true;
}

bool SyncChannel::send_noexcept(SyncKind kind, int32_t code, int32_t error, std::string_view text,
                                int pass_fd) noexcept {
  char buf[sizeof(Header) + kMaxText];
  Header h{static_cast<uint32_t>(kind), code, error};
  std::memcpy(buf, &h, sizeof h);
  size_t n = std::min(text.size(), kMaxText);
  if (n > 0) std::memcpy(buf + sizeof h, text.data(), n);
  struct iovec iov = {buf, sizeof h + n};
  struct msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  if (pass_fd >= 0) {
    std::memset(control, 0, sizeof control);
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
  }
  ssize_t r;
  do {
    r = ::sendmsg(fd_.get(), &msg, MSG_NOSIGNAL);
  } while (r < 0 && errno == EINTR);
  return r == static_cast<ssize_t>(iov.iov_len);
}

void SyncChannel::send(SyncKind kind, int32_t code) {
  if (!send_noexcept(kind, code, 0, {})) throw_errno("send to the container's setup process");
}

std::optional<SyncMessage> SyncChannel::receive() {
  std::vector<char> buf(sizeof(Header) + kMaxText);
  struct iovec iov = {buf.data(), buf.size()};
  struct msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n = DABBA_SYSCALL(::recvmsg(fd_.get(), &msg, MSG_CMSG_CLOEXEC));
  if (n == 0) return std::nullopt;
  SyncMessage out;
  for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
      out.fd.reset(fd);
    }
  }
  if (static_cast<size_t>(n) < sizeof(Header))
    throw Error(Errc::kFailed, "short message from the container's setup process");
  Header h;
  std::memcpy(&h, buf.data(), sizeof h);
  out.kind = static_cast<SyncKind>(h.kind);
  out.code = h.code;
  out.error = h.error;
  out.text.assign(buf.data() + sizeof h, static_cast<size_t>(n) - sizeof h);
  return out;
}

bool SyncChannel::wait_for_noexcept(SyncKind expected) noexcept {
  Header h;
  ssize_t n;
  do {
    n = ::recv(fd_.get(), &h, sizeof h, 0);
  } while (n < 0 && errno == EINTR);
  return n >= static_cast<ssize_t>(sizeof h) && h.kind == static_cast<uint32_t>(expected);
}

}  // namespace dabba::runner
