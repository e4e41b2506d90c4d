#include "runner/network.h"

#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cstring>

#include "common/error.h"
#include "common/unique_fd.h"

namespace dabba::runner {

bool has_own_network_namespace(NetworkMode mode) { return mode != NetworkMode::kHost; }

std::unique_ptr<NetworkSetup> make_network_setup(const Spec& spec) {
  switch (spec.network.mode) {
    case NetworkMode::kNone:
    case NetworkMode::kHost:
      return nullptr;
    case NetworkMode::kSlirp4netns:
      throw Error(Errc::kNotImplemented, "--network slirp4netns is not implemented yet", 0,
                  "use --network none or --network host");
  }
  return nullptr;
}

void bring_loopback_up_child() {
  UniqueFd sock(DABBA_SYSCALL(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), "socket"));
  struct ifreq ifr;
  std::memset(&ifr, 0, sizeof ifr);
  std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  DABBA_SYSCALL(::ioctl(sock.get(), SIOCGIFFLAGS, &ifr), "get the flags of lo");
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  DABBA_SYSCALL(::ioctl(sock.get(), SIOCSIFFLAGS, &ifr), "bring lo up");
}

}  // namespace dabba::runner
