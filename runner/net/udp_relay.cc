#include "runner/net/udp_relay.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "runner/net/guest_address.h"
#include "runner/net/port_relay.h"

namespace dabba::runner {
namespace {

constexpr time_t kIdleSeconds = 120;  // a client silent this long is forgotten
constexpr size_t kMaxClients = 4096;  // per relay; the quietest goes first
constexpr size_t kDatagramMax = 65536;
constexpr int kBurst = 64;  // datagrams per socket per round, so no client starves the others

bool same_addr(const struct sockaddr_in& a, const struct sockaddr_in& b) {
  return a.sin_port == b.sin_port && a.sin_addr.s_addr == b.sin_addr.s_addr;
}

}  // namespace

UdpRelay::UdpRelay(std::vector<int> hosts, std::vector<uint16_t> container_ports,
                   const struct in_addr& guest)
    : hosts_(std::move(hosts)),
      container_ports_(std::move(container_ports)),
      guest_(guest),
      buf_(kDatagramMax) {}

void UdpRelay::add_poll_fds(std::vector<struct pollfd>& fds) const {
  for (int h : hosts_) fds.push_back({h, POLLIN, 0});
  for (const Client& c : clients_) fds.push_back({c.fd.get(), POLLIN, 0});
}

void UdpRelay::handle(const struct pollfd* polled, time_t now) {
  // Container -> host first, while clients_ still matches polled.
  for (size_t k = 0; k < clients_.size(); ++k)
    if (polled[hosts_.size() + k].revents) from_container(clients_[k], now);
  for (size_t i = 0; i < hosts_.size(); ++i)
    if (polled[i].revents) from_host(i, now);
  clients_.erase(std::remove_if(clients_.begin(), clients_.end(),
                                [&](const Client& c) { return now - c.last > kIdleSeconds; }),
                 clients_.end());
}

void UdpRelay::from_container(Client& c, time_t now) {
  for (int burst = 0; burst < kBurst; ++burst) {
    ssize_t got = ::recv(c.fd.get(), buf_.data(), buf_.size(), MSG_DONTWAIT);
    if (got < 0) break;
    c.last = now;
    ::sendto(hosts_[c.port], buf_.data(), static_cast<size_t>(got), MSG_DONTWAIT,
             reinterpret_cast<const struct sockaddr*>(&c.addr), sizeof c.addr);
  }
}

void UdpRelay::from_host(size_t i, time_t now) {
  for (int burst = 0; burst < kBurst; ++burst) {
    struct sockaddr_in from;
    socklen_t len = sizeof from;
    ssize_t got = ::recvfrom(hosts_[i], buf_.data(), buf_.size(), MSG_DONTWAIT,
                             reinterpret_cast<struct sockaddr*>(&from), &len);
    if (got < 0) break;
    auto it = std::find_if(clients_.begin(), clients_.end(),
                           [&](const Client& c) { return c.port == i && same_addr(c.addr, from); });
    if (it == clients_.end()) {
      if (clients_.size() >= kMaxClients) {
        clients_.erase(
            std::min_element(clients_.begin(), clients_.end(),
                             [](const Client& a, const Client& b) { return a.last < b.last; }));
      }
      Client c;
      c.addr = from;
      c.port = i;
      c.fd = UniqueFd(::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
      refresh_guest_address(guest_);  // a network connect/disconnect may have moved it
      struct sockaddr_in to;
      std::memset(&to, 0, sizeof to);
      to.sin_family = AF_INET;
      to.sin_addr = guest_;
      to.sin_port = htons(container_ports_[i]);
      if (!c.fd.valid() ||
          ::connect(c.fd.get(), reinterpret_cast<struct sockaddr*>(&to), sizeof to) != 0) {
        relay_log(std::string("UDP socket towards the container: ") + std::strerror(errno));
        continue;
      }
      clients_.push_back(std::move(c));
      it = clients_.end() - 1;
    }
    it->last = now;
    // ECONNREFUSED (nothing listens yet) and the like lose the datagram, as UDP may.
    ::send(it->fd.get(), buf_.data(), static_cast<size_t>(got), MSG_DONTWAIT);
  }
}

}  // namespace dabba::runner
