#include "runner/net/guest_address.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "common/unique_fd.h"

namespace dabba::runner {

void refresh_guest_address(struct in_addr& guest) noexcept {
  if ((ntohl(guest.s_addr) >> 24) == 127) return;
  UniqueFd probe(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!probe.valid()) return;
  struct sockaddr_in at;
  std::memset(&at, 0, sizeof at);
  at.sin_family = AF_INET;
  at.sin_addr = guest;
  if (::bind(probe.get(), reinterpret_cast<struct sockaddr*>(&at), sizeof at) == 0 ||
      errno != EADDRNOTAVAIL)
    return;
  struct ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return;
  for (const struct ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
    if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != AF_INET) continue;
    if ((i->ifa_flags & IFF_UP) == 0 || (i->ifa_flags & IFF_LOOPBACK) != 0) continue;
    guest = reinterpret_cast<const struct sockaddr_in*>(i->ifa_addr)->sin_addr;
    break;
  }
  ::freeifaddrs(list);
}

}  // namespace dabba::runner
