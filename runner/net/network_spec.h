// The network part of a Spec, as plain data: what slirp4netns is asked for, the ports published on
// the host, and what goes into the container's /etc/resolv.conf and /etc/hosts. Parsed from the
// flags by network_parse.h; nothing here touches the system.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dabba::runner {

// kContainer: another container's namespace, joined (--network container:NAME).
// kBridge: networks of `network create`, each a bridge in the user's network namespace (bridge.h).
// kPasta: its own namespace, connected by pasta (pasta.h).
enum class NetworkMode { kNone, kHost, kSlirp4netns, kContainer, kBridge, kPasta };
const char* network_mode_name(NetworkMode mode);

enum class PortProtocol { kTcp, kUdp };
const char* port_protocol_name(PortProtocol protocol);

// One -p: host_ip:host_port on the host is forwarded to container_port on the container's address.
struct PortMapping {
  std::string host_ip;     // IPv4; "" = every address of the host (0.0.0.0)
  uint16_t host_port = 0;  // 0 = a free port, picked when the container starts
  uint16_t container_port = 0;
  PortProtocol protocol = PortProtocol::kTcp;
  bool operator==(const PortMapping&) const = default;
};

// One --add-host NAME:IP.
struct HostEntry {
  std::string name;
  std::string ip;
  bool operator==(const HostEntry&) const = default;
};

// The options of --network slirp4netns:OPTIONS, spelled as podman spells them.
struct SlirpOptions {
  bool allow_host_loopback = false;  // the host's 127.0.0.1 reachable as the gateway (.2)
  unsigned mtu = 65520;              // podman's default: far quicker than slirp4netns's 1500
  std::string cidr;                  // "" = slirp4netns's 10.0.2.0/24
  bool enable_ipv6 = false;
  std::string outbound_addr;   // IPv4 the host side binds outgoing connections to ("" = any)
  std::string outbound_addr6;  // the same for IPv6
  bool operator==(const SlirpOptions&) const = default;
};

// The addresses slirp4netns gives a network (its --cidr, default 10.0.2.0/24).
struct SlirpAddresses {
  std::string network = "10.0.2.0";
  int prefix = 24;
  std::string gateway = "10.0.2.2";  // the host (its loopback too, when allowed)
  std::string dns = "10.0.2.3";      // slirp4netns's DNS forwarder
  std::string guest = "10.0.2.100";  // the container's own address (--configure)
  std::string dns6 = "fd00::3";      // with enable_ipv6
};

// One network a kBridge container is on (--network NAME[:alias=A,ip=IP], --network-alias, --ip).
struct NetworkAttachment {
  std::string name;
  std::string config;     // the network's config as netavark reads it (store/networks.h's JSON)
  std::string interface;  // in the container: eth0, eth1, ... in the order given
  std::string ip;         // the container's IPv4 address on it (the CLI assigns it)
  std::string mac;        // its interface's MAC address, aa:bb:cc:dd:ee:ff (the CLI picks it)
  std::vector<std::string> aliases;  // names it answers to on the network besides its own
  std::string gateway;    // the network's gateway (its DNS server when dns_enabled)
  int prefix = 24;
  bool dns_enabled = false;
  bool internal = false;
  bool operator==(const NetworkAttachment&) const = default;
};

}  // namespace dabba::runner
