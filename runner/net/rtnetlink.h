// The few rtnetlink requests dabba makes itself (bridge_attach.h): a veth pair whose one end is
// put on a bridge and whose other end is made in another network namespace, an IPv4 address, a
// default route. Each request waits for the kernel's ACK; an error is thrown as the errno it
// carries. The socket belongs to the network namespace of the thread that made it, whatever
// namespace the thread is in afterwards.
#pragma once

#include <cstdint>
#include <string>

#include "common/unique_fd.h"

namespace dabba::runner {

class RtNetlink {
 public:
  RtNetlink();  // a NETLINK_ROUTE socket in the calling thread's network namespace

  // Makes the veth pair `name` (here, on bridge_index) and `peer_name` (in the network namespace
  // of peer_netns_fd), both down; the peer's MAC is peer_mac (aa:bb:cc:dd:ee:ff) unless empty.
  // Throws Error (EEXIST when a name is taken).
  void add_veth_on_bridge(const std::string& name, unsigned bridge_index,
                          const std::string& peer_name, int peer_netns_fd,
                          const std::string& peer_mac);
  // The interface up.
  void set_up(unsigned index);
  // address/prefix on the interface (IPv4, dotted).
  void add_address(unsigned index, const std::string& address, int prefix);
  // A default route via gateway (IPv4) out of the interface, metric 100 as netavark's (one per
  // network the container is on).
  void add_default_route(unsigned index, const std::string& gateway);

 private:
  void request(void* message, std::uint32_t length, const std::string& what);

  UniqueFd fd_;
  std::uint32_t seq_ = 0;
};

}  // namespace dabba::runner
