// A container on networks of `network create` (NetworkMode::kBridge), the parent's side: when its
// first process exists, the user's networks' namespace is joined (started if need be:
// netns_holder.h) and netavark setup gives the container its veths, addresses and DNS names
// (netavark.h); published ports go through dabba's relay to its address on the first network
// (port_relay.h). When the container is gone: relay stopped, netavark teardown (through an fd that
// kept the container's network namespace alive for it), and the namespace left, which stops it
// when this was its last container.
#pragma once

#include <memory>

#include "runner/net/network.h"

namespace dabba::runner {

// Checks what can fail early (netavark and aardvark-dns installed, the host ports free).
std::unique_ptr<NetworkSetup> make_bridge_network(const Spec& spec);

}  // namespace dabba::runner
