// The network flags, from text to the plain data of network_spec.h, and back to text for `ps`.
// Every function throws Error{kInvalidArgument} with a hint on bad input; none touches the system.
#pragma once

#include <string>
#include <vector>

#include "runner/net/network_spec.h"
#include "runner/spec.h"

namespace dabba::runner {

// "allow_host_loopback=true,mtu=1500,cidr=10.1.2.0/24,enable_ipv6=true" (the part after
// "slirp4netns:"); "" gives the defaults. Unknown options are an error.
SlirpOptions parse_slirp_options(const std::string& text);

// The gateway (.2), DNS (.3) and guest (.100) addresses of options.cidr.
SlirpAddresses slirp_addresses(const SlirpOptions& options);

// -p [IP:][HOSTPORT:]CONTAINERPORT[/tcp|/udp], IP::CONTAINERPORT; no HOSTPORT = a free port.
PortMapping parse_publish(const std::string& text);
// The same with podman's ranges: [IP:][H1-H2:]C1-C2[/proto], one mapping per port (the host range
// as long as the container's; without one, each container port gets a free host port).
std::vector<PortMapping> parse_publish_ranges(const std::string& text);
// "127.0.0.1:8080->80/tcp" as `docker ps` shows it ("0.0.0.0:..." for every address).
std::string format_port(const PortMapping& port);
// The ports joined with ", ".
std::string format_ports(const std::vector<PortMapping>& ports);
// The inverse of format_port (for the record `ps` reads back).
PortMapping parse_formatted_port(const std::string& text);

// --add-host NAME:IP (also NAME=IP; IPv6 with or without brackets; IP "host-gateway" is the
// host as the container reaches it, resolved when the files are written).
HostEntry parse_add_host(const std::string& text);
inline constexpr const char* kHostGateway = "host-gateway";

// --dns IP (IPv4 or IPv6): the address, checked.
std::string parse_dns(const std::string& text);

// --mac-address / NAME:mac=: six hex bytes with ':' or '-', a unicast address; lower-cased with
// ':'.
std::string parse_mac_address(const std::string& text);
// A random locally administered unicast MAC address (netavark's kind, so a container keeps it
// across starts: dabba picks it once and passes it as static_mac).
std::string random_mac_address();

// What the flags cannot say alone: -p only with slirp4netns; no host-gateway without a network;
// no host port published twice.
void validate_network(const NetworkSpec& network);

}  // namespace dabba::runner
