// The port relay's target inside the container's network namespace. A container on networks
// changes address when `network disconnect` and `connect` move it: the relay then follows, taking
// the first IPv4 address of an interface that is up (not loopback) there. A loopback target (pasta)
// stays as it is.
#pragma once

#include <netinet/in.h>

namespace dabba::runner {

// guest unchanged while an interface of this network namespace has it (one socket and bind to
// tell); else the namespace's first non-loopback IPv4 address, if it has one.
void refresh_guest_address(struct in_addr& guest) noexcept;

}  // namespace dabba::runner
