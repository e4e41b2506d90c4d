#include "runner/net/port_publish.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "common/error.h"
#include "common/fs.h"
#include "common/text.h"
#include "common/unique_fd.h"
#include "runner/net/network_parse.h"

namespace dabba::runner {
namespace {

std::string unprivileged_port_start() {
  std::string text;
  try {
    read_file_if_exists("/proc/sys/net/ipv4/ip_unprivileged_port_start", text);
  } catch (const Error&) {
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text.empty() ? "1024" : text;
}

std::string describe(const PortMapping& p) {
  return "host port " + std::to_string(p.host_port) + "/" + port_protocol_name(p.protocol) +
         " on " + (p.host_ip.empty() ? std::string("0.0.0.0") : p.host_ip);
}

// The bind of port (host_port 0: any free one) as slirp4netns does it: TCP with SO_REUSEADDR
// before bind (so a TIME_WAIT left by an old connection does not count), UDP without (slirp sets it
// after bind, so any socket already bound there wins). Returns the bound socket, or -errno.
int bind_like_slirp(const PortMapping& p, UniqueFd& out) {
  int type = p.protocol == PortProtocol::kUdp ? SOCK_DGRAM : SOCK_STREAM;
  UniqueFd fd(::socket(AF_INET, type | SOCK_CLOEXEC, 0));
  if (!fd.valid()) throw_errno("socket");
  if (p.protocol == PortProtocol::kTcp) {
    int one = 1;
    DABBA_SYSCALL(::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
  }
  struct sockaddr_in addr;
  std::memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons(p.host_port);
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  if (!p.host_ip.empty() && ::inet_pton(AF_INET, p.host_ip.c_str(), &addr.sin_addr) != 1)
    throw Error(Errc::kInvalidArgument, "'" + p.host_ip + "' is not an IPv4 address");
  if (::bind(fd.get(), reinterpret_cast<struct sockaddr*>(&addr), sizeof addr) != 0) return -errno;
  // Two SO_REUSEADDR sockets may both bind; only one may listen.
  if (p.protocol == PortProtocol::kTcp && ::listen(fd.get(), 1) != 0) return -errno;
  out = std::move(fd);
  return 0;
}

[[noreturn]] void throw_bind_error(const PortMapping& p, int err) {
  switch (err) {
    case EADDRINUSE:
      throw Error(Errc::kConflict, describe(p) + " is already in use", 0,
                  "stop what listens there, or publish another port (-p HOSTPORT:" +
                      std::to_string(p.container_port) + ", or -p " +
                      std::to_string(p.container_port) + " for a free one)");
    case EACCES:
    case EPERM:
      throw Error(Errc::kPermission,
                  describe(p) + ": ports below " + unprivileged_port_start() +
                      " need privileges on the host",
                  0,
                  "publish a port from " + unprivileged_port_start() +
                      " up, or lower the limit: sudo sysctl net.ipv4.ip_unprivileged_port_start=" +
                      std::to_string(p.host_port));
    case EADDRNOTAVAIL:
      throw Error(Errc::kInvalidArgument,
                  describe(p) + ": " + p.host_ip + " is not an address of this host", 0,
                  "give one of the host's addresses (e.g. 127.0.0.1), or none for all");
    default:
      throw_errno("bind " + describe(p), err);
  }
}

}  // namespace

void probe_port(const PortMapping& port) {
  UniqueFd fd;
  if (int rc = bind_like_slirp(port, fd); rc < 0) throw_bind_error(port, -rc);
}

UniqueFd bind_host_port(const PortMapping& port) {
  UniqueFd fd;
  if (int rc = bind_like_slirp(port, fd); rc < 0) throw_bind_error(port, -rc);
  // The probe's backlog of 1 would drop a burst of clients' SYNs.
  if (port.protocol == PortProtocol::kTcp)
    DABBA_SYSCALL(::listen(fd.get(), SOMAXCONN), "listen on " + describe(port));
  return fd;
}

std::vector<PortMapping> reserve_host_ports(const std::vector<PortMapping>& ports) {
  std::vector<PortMapping> out = ports;
  for (PortMapping& p : out) {
    if (p.host_port != 0) {
      probe_port(p);
      continue;
    }
    UniqueFd fd;
    if (int rc = bind_like_slirp(p, fd); rc < 0) throw_bind_error(p, -rc);
    struct sockaddr_in addr;
    socklen_t len = sizeof addr;
    DABBA_SYSCALL(::getsockname(fd.get(), reinterpret_cast<struct sockaddr*>(&addr), &len));
    p.host_port = ntohs(addr.sin_port);
  }
  return out;
}

std::string published_ports_path(const std::string& container_dir) {
  return container_dir + "/ports";
}

void write_published_ports(const std::string& container_dir,
                           const std::vector<PortMapping>& ports) {
  std::string text;
  for (const auto& p : ports) text += format_port(p) + "\n";
  // Like the state file: replaced whole, not fsynced (it describes a running process).
  write_file_atomic(published_ports_path(container_dir), text, Sync::kNone);
}

std::vector<PortMapping> read_published_ports(const std::string& container_dir) {
  std::vector<PortMapping> out;
  std::string text;
  if (!read_file_if_exists(published_ports_path(container_dir), text)) return out;
  for (const std::string& line : split_lines(text))
    if (!line.empty()) out.push_back(parse_formatted_port(line));
  return out;
}

void remove_published_ports(const std::string& container_dir) noexcept {
  ::unlink(published_ports_path(container_dir).c_str());
}

}  // namespace dabba::runner
