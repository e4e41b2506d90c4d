// A container's attachment to a network of `network create`, as the runner needs it: what the
// network's config says (its JSON for netavark, gateway, prefix, DNS, internal), shared by run's
// --network and `network connect`.
#pragma once

#include "runner/spec.h"
#include "store/networks.h"

namespace dabba::cli {

// a's name, config, gateway, prefix, dns_enabled and internal from network (its first subnet).
void describe_attachment(const Network& network, runner::NetworkAttachment& a);

}  // namespace dabba::cli
