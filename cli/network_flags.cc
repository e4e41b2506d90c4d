#include "cli/network_flags.h"

#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/command.h"
#include "common/error.h"
#include "common/fs.h"
#include "runner/net/network_parse.h"
#include "runner/net/port_publish.h"

namespace dabba::cli {
void register_network_flags(CLI::App& app, NetworkFlags& f) {
  app.add_option("--network,--net", f.network,
                 "slirp4netns[:OPTIONS] (its own network, reaching out through the host), none "
                 "(only lo) or host (the host's network). OPTIONS: allow_host_loopback=true, "
                 "mtu=N, cidr=A.B.C.0/24, enable_ipv6=true; or NAME[:alias=A,ip=IP,mac=M] of a "
                 "network (dabba network create; bridge or podman: the default one), repeatable")
      ->capture_default_str()
      ->multi_option_policy(CLI::MultiOptionPolicy::Join);
  repeatable(app.add_option("--network-alias", f.aliases,
                            "another name the container has on its networks"));
  app.add_option("--ip", f.ip, "the container's IPv4 address on its network");
  app.add_option("--mac-address", f.mac,
                 "the MAC address of the container's interface on its network");
  repeatable(app.add_option("-p,--publish", f.publish,
                            "publish a container port on the host: [IP:][HOSTPORT:]CONTAINERPORT"
                            "[/tcp|/udp] (no HOSTPORT: a free one)"));
  app.add_flag("-P,--publish-all", f.publish_all,
               "publish every port the image exposes on a free host port");
  repeatable(
      app.add_option("--dns", f.dns, "a DNS server for the container (replaces the default)"));
  repeatable(app.add_option("--add-host", f.add_host, "add NAME:IP to the container's /etc/hosts"));
  repeatable(
      app.add_option("--dns-search", f.dns_search,
                     "a DNS search domain for the container (replaces the host's; . for none)"));
  repeatable(app.add_option("--dns-opt,--dns-option", f.dns_opt,
                            "a resolv.conf option for the container (replaces the host's)"));
}

runner::NetworkSpec parse_network_flags(const NetworkFlags& f) {
  // `bridge` and `podman` are the default network "podman" (10.88.0.0/16), as podman's rootless
  // bridge mode; without --network the mode is slirp4netns (or pasta, as containers.conf says).
  runner::NetworkSpec n = runner::parse_network(f.network);
  n.holder_via_pasta = f.pasta_default;
  for (const auto& p : f.publish)
    for (const runner::PortMapping& m : runner::parse_publish_ranges(p)) n.ports.push_back(m);
  if (!n.ports.empty() &&
      (n.mode == runner::NetworkMode::kHost || n.mode == runner::NetworkMode::kNone ||
       n.mode == runner::NetworkMode::kContainer)) {
    // podman's warning, word for word and without a prefix (scripts match its first line), and
    // it goes on without them.
    std::fputs(
        "Port mappings have been discarded as one of the Host, Container, Pod, and None "
        "network modes are in use\n",
        stderr);
    n.ports.clear();
  }
  for (const auto& d : f.dns) n.dns.push_back(runner::parse_dns(d));
  for (const auto& h : f.add_host) n.extra_hosts.push_back(runner::parse_add_host(h));
  if (!f.base_hosts_file.empty()) {
    if (!read_file_if_exists(f.base_hosts_file, n.base_hosts))
      throw dabba::Error(dabba::Errc::kNotFound,
                         "containers.conf: base_hosts_file " + f.base_hosts_file + " not found", 0,
                         "create it, or take the key out");
  }
  n.host_internal_ip = f.host_internal_ip;
  if (n.mode == runner::NetworkMode::kBridge) {
    for (auto& a : n.networks)
      a.aliases.insert(a.aliases.end(), f.aliases.begin(), f.aliases.end());
    if (!f.ip.empty()) {
      if (n.networks.size() > 1)
        throw dabba::Error(dabba::Errc::kInvalidArgument,
                           "--ip can only be set for a single network", 0,
                           "use --network NAME:ip=ADDRESS for each network");
      n.networks.front().ip = f.ip;
    }
    if (!f.mac.empty()) {
      if (n.networks.size() > 1)
        throw dabba::Error(dabba::Errc::kInvalidArgument,
                           "--mac-address can only be set for a single network", 0,
                           "use --network NAME:mac=ADDRESS for each network");
      n.networks.front().mac = runner::parse_mac_address(f.mac);
    }
  } else if (!f.aliases.empty()) {
    throw dabba::Error(dabba::Errc::kInvalidArgument,
                       "--network-alias can only be used with a network", 0,
                       "join a network of `dabba network create` with --network NAME");
  } else if (!f.mac.empty()) {
    throw dabba::Error(dabba::Errc::kInvalidArgument,
                       "--mac-address can only be used with a network", 0,
                       "join a network with --network NAME (or bridge)");
  } else if (!f.ip.empty()) {
    throw dabba::Error(dabba::Errc::kInvalidArgument, "--ip can only be used with a network", 0,
                       "join a network of `dabba network create` with --network NAME");
  }
  n.dns_search = f.dns_search;
  n.dns_options = f.dns_opt;
  runner::validate_network(n);
  return n;
}

std::vector<std::string> published_ports(const std::string& container_dir) noexcept {
  std::vector<std::string> out;
  try {
    for (const auto& p : runner::read_published_ports(container_dir))
      out.push_back(runner::format_port(p));
  } catch (const std::exception&) {
    out.clear();  // another user's container, or a torn record: no ports shown
  }
  return out;
}

}  // namespace dabba::cli
