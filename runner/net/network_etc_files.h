// What a container's /etc/hostname, /etc/hosts and /etc/resolv.conf say, for each network mode:
//   slirp4netns: nameserver = slirp4netns's DNS forwarder (10.0.2.3, or the cidr's .3; fd00::3
//                too with IPv6) with the host's search domains and options; hosts = localhost,
//                the hostname on the container's address (.100), host.containers.internal on the
//                gateway (.2) when host loopback is allowed.
//   host:        the host's resolv.conf and hosts, plus the hostname.
//   none:        localhost and the hostname, no nameserver.
// --dns replaces the nameservers (keeping search and options), --add-host appends to hosts.
// Pure functions of their inputs (the host's files are passed in), so unit-testable.
#pragma once

#include <string>
#include <vector>

#include "runner/spec.h"

namespace dabba::runner {

// The host's /etc/hosts and /etc/resolv.conf, as read.
struct HostNetworkFiles {
  std::string hosts;
  std::string resolv_conf;
  // The host's first non-loopback IPv4 address (`hostname -I`'s first), which podman names
  // host.containers.internal in a slirp4netns container's /etc/hosts; "" if none.
  std::string host_ip;
};
// with_host_ip: also look host_ip up (only slirp4netns needs it: a netlink dump saved elsewhere).
HostNetworkFiles read_host_network_files(bool with_host_ip = false);

EtcFiles network_etc_files(const std::string& hostname, const NetworkSpec& network,
                           const HostNetworkFiles& host);

// The search domains and options of a resolv.conf (the last search/domain line wins, as in
// resolv.conf(5)); nameservers are what the container replaces.
struct ResolvConf {
  std::vector<std::string> nameservers;
  std::string search;   // "a.example b.example", "" if none
  std::string options;  // "ndots:2 edns0", "" if none
};
ResolvConf parse_resolv_conf(const std::string& text);

}  // namespace dabba::runner
