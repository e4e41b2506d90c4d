// Networks (`network create`, `ls`, `inspect`, `rm`, `prune`, `exists`): podman 4's network
// configs, one JSON file each in <root>/networks/<name>.json, in the very format podman (netavark
// backend) writes into its graph root and netavark reads, keys in podman's order. The default
// network `podman` (10.88.0.0/16, interface podman0, no DNS) is never stored: it always exists and
// cannot be removed, as podman's. create picks, under <root>/networks/.lock, what podman picks:
// the first 10.89.N.0/24 no other network overlaps, the first free interface podmanN, a gateway
// at the subnet's first address (none for --internal without one given).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dabba {

struct NetworkSubnet {
  std::string subnet;   // IPv4 CIDR, its network address: "10.89.0.0/24"
  std::string gateway;  // "" when none
  bool operator==(const NetworkSubnet&) const = default;
};

struct Network {
  std::string name;
  std::string id;  // 64 hex digits
  std::string driver = "bridge";
  std::string interface;  // the bridge's name: podman0, podman1, ...
  std::string created;    // RFC 3339 with nanoseconds, as Go writes it
  std::vector<NetworkSubnet> subnets;
  bool ipv6_enabled = false;
  bool internal = false;
  bool dns_enabled = false;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> options;
  bool operator==(const Network&) const = default;
};

inline constexpr const char* kDefaultNetworkName = "podman";

// podman's JSON of one network (indent: as nlohmann's dump; podman's inspect uses 5).
std::string encode_network(const Network& network, int indent);
// Throws Error{kCorrupt} naming the text's problem.
Network decode_network(const std::string& text);

// What `network create` asks for; empty strings mean "pick one" (subnet) or "the default".
struct NetworkRequest {
  std::string name;
  std::string id;      // the caller makes it (64 random hex digits)
  std::string driver;  // "" or "bridge"
  std::string subnet;
  std::string gateway;
  bool internal = false;
  bool dns_enabled = true;
  bool ipv6 = false;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> options;
};

// Throws podman's errors (kInvalidArgument: `network name X invalid: names must match
// [a-zA-Z0-9][a-zA-Z0-9_.-]*`, a name that is a network mode, a bad subnet or gateway, a driver
// other than bridge, ipv6; kAlreadyExists: `network name X already used: network already exists`;
// kConflict: `subnet S is already used on the host or by another config`).
Network create_network(const std::string& store_root, const NetworkRequest& request);
// Every network, the default one included, by name.
std::vector<Network> list_networks(const std::string& store_root);
// By name, full id or unique id prefix; nullopt when none.
std::optional<Network> find_network(const std::string& store_root, const std::string& name_or_id);
// Throws Error{kNotFound} `unable to find network with name or ID X: network not found`, and
// kInvalidArgument `default network podman cannot be removed`. The caller checks it is unused.
void remove_network(const std::string& store_root, const std::string& name);

// ---- addresses (podman's IPAM is its own too: netavark assigns none)

// The container's IPv4 address on network: requested (checked: in the subnet, not the gateway,
// not another live container's) or the first free one after the gateway. Leases are files,
// <root>/networks/leases/<network>/<address>, holding the container's id, made under the
// networks' lock; a lease whose container no longer exists (alive(id) false) is free. A container
// keeps its address for its whole life (restarts included), as in podman. Throws podman's errors:
// kConflict `requested ip address A is already allocated to container ID X`, kInvalidArgument for
// an address outside the subnet, kConflict when the subnet is full.
std::string lease_address(const std::string& store_root, const Network& network,
                          const std::string& container_id, const std::string& requested,
                          const std::function<bool(const std::string&)>& alive);
// The leases of container_id are dropped: on network ("") or on every network (rm).
void release_addresses(const std::string& store_root, const std::string& container_id,
                       const std::string& network = "") noexcept;

}  // namespace dabba
