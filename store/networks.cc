#include "store/networks.h"

#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <regex>

#include "common/error.h"
#include "common/fs.h"
#include "common/file_lock.h"

namespace dabba {
namespace {

using Json = nlohmann::ordered_json;

std::string networks_dir(const std::string& root) { return root + "/networks"; }
std::string network_path(const std::string& root, const std::string& name) {
  return networks_dir(root) + "/" + name + ".json";
}

// ---- IPv4 subnets

struct Cidr {
  uint32_t address = 0;  // host order
  int prefix = 0;
  uint32_t mask() const { return prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix); }
};

std::optional<uint32_t> parse_ipv4(const std::string& text) {
  in_addr a{};
  if (::inet_pton(AF_INET, text.c_str(), &a) != 1) return std::nullopt;
  return ntohl(a.s_addr);
}

std::string format_ipv4(uint32_t address) {
  in_addr a{};
  a.s_addr = htonl(address);
  char buf[INET_ADDRSTRLEN];
  return ::inet_ntop(AF_INET, &a, buf, sizeof buf) ? buf : "";
}

std::optional<Cidr> parse_cidr(const std::string& text) {
  const size_t slash = text.find('/');
  if (slash == std::string::npos) return std::nullopt;
  std::optional<uint32_t> address = parse_ipv4(text.substr(0, slash));
  const std::string bits = text.substr(slash + 1);
  if (!address || bits.empty() || bits.size() > 2 ||
      !std::all_of(bits.begin(), bits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  Cidr c;
  c.prefix = std::stoi(bits);
  if (c.prefix > 32) return std::nullopt;
  c.address = *address & c.mask();  // as Go's net.ParseCIDR: the network's address
  return c;
}

std::string format_cidr(const Cidr& c) { return format_ipv4(c.address) + "/" + std::to_string(c.prefix); }

bool overlaps(const Cidr& a, const Cidr& b) {
  const uint32_t mask = (a.prefix < b.prefix ? a : b).mask();
  return (a.address & mask) == (b.address & mask);
}

bool contains(const Cidr& c, uint32_t address) { return (address & c.mask()) == c.address; }

// ---- the default network and the files

std::string now_rfc3339_nano() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  tm utc{};
  ::gmtime_r(&ts.tv_sec, &utc);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &utc);
  std::string nanos = std::to_string(1000000000L + ts.tv_nsec).substr(1);
  while (!nanos.empty() && nanos.back() == '0') nanos.pop_back();  // Go's RFC3339Nano trims them
  return std::string(date) + (nanos.empty() ? "" : "." + nanos) + "Z";
}

Network default_network() {
  Network n;
  n.name = kDefaultNetworkName;
  // podman's: the sha256 of its name.
  n.id = "2f259bab93aaaaa2542ba43ef33eb990d0999ee1b9924b557b7be53c0b7a1bb9";
  n.interface = "podman0";
  n.created = now_rfc3339_nano();
  n.subnets = {{"10.88.0.0/16", "10.88.0.1"}};
  return n;
}

std::vector<Network> stored_networks(const std::string& root) {
  std::vector<Network> out;
  if (!path_exists(networks_dir(root))) return out;
  for (const std::string& file : list_directory(networks_dir(root))) {
    if (file.size() <= 5 || file.compare(file.size() - 5, 5, ".json") != 0) continue;
    const std::string path = networks_dir(root) + "/" + file;
    try {
      out.push_back(decode_network(read_file(path)));
    } catch (Error& e) {
      throw Error(e.code(), "network config " + path + ": " + e.what(), 0,
                  "fix or remove the file");
    }
  }
  return out;
}

void check_name(const std::string& name) {
  static const std::regex kValid("[a-zA-Z0-9][a-zA-Z0-9_.-]*");
  if (!std::regex_match(name, kValid))
    throw Error(Errc::kInvalidArgument, "network name " + name +
                                            " invalid: names must match "
                                            "[a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument");
  for (const char* mode : {"none", "host", "bridge", "private", "slirp4netns", "pasta", "container",
                           "ns", "default"})
    if (name == mode)
      throw Error(Errc::kInvalidArgument, "cannot create network with name \"" + name +
                                              "\" because it conflicts with a valid network mode");
}

// The subnet asked for (checked against the others) or the first free 10.89.N.0/24.
Cidr pick_subnet(const NetworkRequest& r, const std::vector<Network>& others) {
  std::vector<Cidr> used;
  for (const Network& n : others)
    for (const NetworkSubnet& s : n.subnets)
      if (std::optional<Cidr> c = parse_cidr(s.subnet)) used.push_back(*c);
  auto free = [&](const Cidr& c) {
    return std::none_of(used.begin(), used.end(), [&](const Cidr& u) { return overlaps(c, u); });
  };
  if (!r.subnet.empty()) {
    std::optional<Cidr> c = parse_cidr(r.subnet);
    if (!c)
      throw Error(Errc::kInvalidArgument, "invalid CIDR address: " + r.subnet, 0,
                  "an IPv4 subnet such as 10.90.0.0/24 (IPv6 is not supported yet)");
    if (c->prefix > 30)
      throw Error(Errc::kInvalidArgument, "subnet " + r.subnet + " is too small", 0,
                  "give a /30 or larger");
    if (!free(*c))
      throw Error(Errc::kConflict, "subnet " + format_cidr(*c) +
                                       " is already used on the host or by another config");
    return *c;
  }
  for (uint32_t i = 0; i < 256; ++i) {
    Cidr c{(10u << 24) | (89u << 16) | (i << 8), 24};
    if (free(c)) return c;
  }
  throw Error(Errc::kConflict, "could not find free subnet from subnet pools", 0,
              "remove unused networks (dabba network prune) or give --subnet");
}

std::string pick_interface(const std::vector<Network>& others) {
  for (unsigned i = 1;; ++i) {
    const std::string name = "podman" + std::to_string(i);
    if (std::none_of(others.begin(), others.end(),
                     [&](const Network& n) { return n.interface == name; }))
      return name;
  }
}

}  // namespace

std::string encode_network(const Network& n, int indent) {
  Json j;
  j["name"] = n.name;
  j["id"] = n.id;
  j["driver"] = n.driver;
  j["network_interface"] = n.interface;
  j["created"] = n.created;
  Json subnets = Json::array();
  for (const NetworkSubnet& s : n.subnets) {
    Json e;
    e["subnet"] = s.subnet;
    if (!s.gateway.empty()) e["gateway"] = s.gateway;
    subnets.push_back(e);
  }
  j["subnets"] = subnets;
  j["ipv6_enabled"] = n.ipv6_enabled;
  j["internal"] = n.internal;
  j["dns_enabled"] = n.dns_enabled;
  if (!n.labels.empty()) j["labels"] = n.labels;
  if (!n.options.empty()) j["options"] = n.options;
  j["ipam_options"] = Json{{"driver", "host-local"}};
  return j.dump(indent);
}

Network decode_network(const std::string& text) {
  Json j = Json::parse(text, nullptr, false);
  if (!j.is_object() || !j.contains("name") || !j["name"].is_string())
    throw Error(Errc::kCorrupt, "not a network config (no \"name\")");
  Network n;
  try {
    n.name = j.at("name").get<std::string>();
    n.id = j.value("id", "");
    n.driver = j.value("driver", "bridge");
    n.interface = j.value("network_interface", "");
    n.created = j.value("created", "");
    if (j.contains("subnets") && j["subnets"].is_array())
      for (const Json& s : j["subnets"])
        n.subnets.push_back({s.value("subnet", ""), s.value("gateway", "")});
    n.ipv6_enabled = j.value("ipv6_enabled", false);
    n.internal = j.value("internal", false);
    n.dns_enabled = j.value("dns_enabled", false);
    if (j.contains("labels")) n.labels = j["labels"].get<std::map<std::string, std::string>>();
    if (j.contains("options")) n.options = j["options"].get<std::map<std::string, std::string>>();
  } catch (const nlohmann::json::exception& e) {
    throw Error(Errc::kCorrupt, std::string("malformed network config: ") + e.what());
  }
  return n;
}

Network create_network(const std::string& root, const NetworkRequest& r) {
  check_name(r.name);
  if (!r.driver.empty() && r.driver != "bridge")
    throw Error(Errc::kInvalidArgument, "unsupported driver " + r.driver + ": invalid argument", 0,
                "dabba's networks are bridges (-d bridge, the default)");
  if (r.ipv6)
    throw Error(Errc::kUnsupported, "--ipv6 is not supported yet", 0,
                "dabba's networks are IPv4 for now");
  if (!r.gateway.empty() && r.subnet.empty())
    throw Error(Errc::kInvalidArgument, "gateway cannot be set without subnet", 0,
                "give --subnet too");
  make_dirs(networks_dir(root), 0700);
  FileLock lock = FileLock::acquire(networks_dir(root) + "/.lock", FileLock::Mode::kExclusive);
  std::vector<Network> others = stored_networks(root);
  others.push_back(default_network());
  for (const Network& n : others)
    if (n.name == r.name)
      throw Error(Errc::kAlreadyExists,
                  "network name " + r.name + " already used: network already exists");
  const Cidr subnet = pick_subnet(r, others);
  std::string gateway;
  if (!r.gateway.empty()) {
    std::optional<uint32_t> g = parse_ipv4(r.gateway);
    if (!g) throw Error(Errc::kInvalidArgument, "invalid gateway address " + r.gateway);
    if (!contains(subnet, *g))
      throw Error(Errc::kInvalidArgument,
                  "gateway " + r.gateway + " not in subnet " + format_cidr(subnet));
    gateway = r.gateway;
  } else if (!r.internal) {
    gateway = format_ipv4(subnet.address + 1);
  }
  Network n;
  n.name = r.name;
  n.id = r.id;
  n.interface = pick_interface(others);
  n.created = now_rfc3339_nano();
  n.subnets = {{format_cidr(subnet), gateway}};
  n.internal = r.internal;
  n.dns_enabled = r.dns_enabled;
  n.labels = r.labels;
  n.options = r.options;
  write_file_atomic(network_path(root, n.name), encode_network(n, 5) + "\n", Sync::kDurable, 0600);
  return n;
}

std::vector<Network> list_networks(const std::string& root) {
  std::vector<Network> all = stored_networks(root);
  all.push_back(default_network());
  std::sort(all.begin(), all.end(),
            [](const Network& a, const Network& b) { return a.name < b.name; });
  return all;
}

std::optional<Network> find_network(const std::string& root, const std::string& name_or_id) {
  if (name_or_id.empty()) return std::nullopt;
  std::vector<Network> all = list_networks(root);
  for (const Network& n : all)
    if (n.name == name_or_id || n.id == name_or_id) return n;
  std::optional<Network> found;
  for (const Network& n : all) {
    if (n.id.rfind(name_or_id, 0) != 0) continue;
    if (found) return std::nullopt;  // ambiguous
    found = n;
  }
  return found;
}

void remove_network(const std::string& root, const std::string& name) {
  if (name == kDefaultNetworkName)
    throw Error(Errc::kInvalidArgument,
                std::string("default network ") + kDefaultNetworkName + " cannot be removed");
  const std::string path = network_path(root, name);
  if (!path_exists(path))
    throw Error(Errc::kNotFound,
                "unable to find network with name or ID " + name + ": network not found");
  DABBA_SYSCALL(::unlink(path.c_str()), path);
  remove_tree(networks_dir(root) + "/leases/" + name);
}

namespace {

std::string leases_dir(const std::string& root) { return networks_dir(root) + "/leases"; }

}  // namespace

std::string lease_address(const std::string& root, const Network& network,
                          const std::string& container_id, const std::string& requested,
                          const std::function<bool(const std::string&)>& alive) {
  if (network.subnets.empty())
    throw Error(Errc::kInvalidArgument, "network " + network.name + " has no subnet");
  std::optional<Cidr> subnet = parse_cidr(network.subnets.front().subnet);
  if (!subnet) throw Error(Errc::kCorrupt, "network " + network.name + ": bad subnet");
  const std::optional<uint32_t> gateway = parse_ipv4(network.subnets.front().gateway);
  const std::string dir = leases_dir(root) + "/" + network.name;
  make_dirs(dir, 0700);
  FileLock lock = FileLock::acquire(networks_dir(root) + "/.lock", FileLock::Mode::kExclusive);
  // Who holds what: a lease of a removed container is swept.
  std::map<uint32_t, std::string> taken;
  for (const std::string& name : list_directory(dir)) {
    std::string holder;
    std::optional<uint32_t> address = parse_ipv4(name);
    if (!address || !read_file_if_exists(dir + "/" + name, holder)) continue;
    holder = holder.substr(0, holder.find('\n'));
    if (holder == container_id && requested.empty()) return name;  // its own, kept
    if (holder != container_id && alive(holder))
      taken[*address] = holder;
    else
      ::unlink((dir + "/" + name).c_str());
  }
  const uint32_t first = subnet->address + 1;
  const uint32_t last = subnet->address + ~subnet->mask() - 1;  // before the broadcast address
  std::optional<uint32_t> chosen;
  if (!requested.empty()) {
    std::optional<uint32_t> want = parse_ipv4(requested);
    if (!want || !contains(*subnet, *want) || *want < first || *want > last || want == gateway)
      throw Error(Errc::kInvalidArgument,
                  "requested static ip " + requested + " not in any subnet on network " +
                      network.name);
    if (auto t = taken.find(*want); t != taken.end())
      throw Error(Errc::kConflict, "IPAM error: requested ip address " + requested +
                                       " is already allocated to container ID " + t->second);
    chosen = want;
  } else {
    // The next free one after the last given, as podman's IPAM: an address just freed is not
    // reused at once, while its old owner's MAC still sits in the others' neighbour caches.
    std::string text;
    std::optional<uint32_t> previous;
    if (read_file_if_exists(dir + "/.last", text)) previous = parse_ipv4(text.substr(0, text.find('\n')));
    const uint32_t start = previous && *previous >= first && *previous < last ? *previous + 1 : first;
    const uint32_t count = last >= first ? last - first + 1 : 0;
    for (uint32_t i = 0; i < count && !chosen; ++i) {
      const uint32_t a = first + (start - first + i) % count;
      if (a != gateway && taken.count(a) == 0) chosen = a;
    }
    if (!chosen)
      throw Error(Errc::kConflict, "IPAM error: failed to find free IP in range: " +
                                       network.subnets.front().subnet,
                  0, "remove containers from network " + network.name + ", or use a larger subnet");
  }
  const std::string address = format_ipv4(*chosen);
  write_file_atomic(dir + "/" + address, container_id + "\n", Sync::kNone, 0600);
  if (requested.empty()) write_file_atomic(dir + "/.last", address + "\n", Sync::kNone, 0600);
  return address;
}

void release_addresses(const std::string& root, const std::string& container_id,
                       const std::string& only) noexcept {
  try {
    if (!path_exists(leases_dir(root))) return;
    for (const std::string& network : list_directory(leases_dir(root))) {
      if (!only.empty() && network != only) continue;
      const std::string dir = leases_dir(root) + "/" + network;
      for (const std::string& name : list_directory(dir)) {
        std::string holder;
        if (read_file_if_exists(dir + "/" + name, holder) &&
            holder.substr(0, holder.find('\n')) == container_id)
          ::unlink((dir + "/" + name).c_str());
      }
    }
  } catch (const std::exception&) {
  }
}

}  // namespace dabba
