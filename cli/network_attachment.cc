#include "cli/network_attachment.h"

#include <string>

namespace dabba::cli {

void describe_attachment(const Network& network, runner::NetworkAttachment& a) {
  a.name = network.name;
  a.config = encode_network(network, 0);
  a.gateway.clear();
  if (!network.subnets.empty()) {
    a.gateway = network.subnets.front().gateway;
    const std::string& subnet = network.subnets.front().subnet;
    a.prefix = std::stoi(subnet.substr(subnet.find('/') + 1));
  }
  a.dns_enabled = network.dns_enabled;
  a.internal = network.internal;
}

}  // namespace dabba::cli
