// The network flags of `dabba run`, spelled as Docker and podman spell them:
//   --network slirp4netns[:OPTIONS] (the default) | none | host
//   -p, --publish [IP:][HOSTPORT:]CONTAINERPORT[/tcp|/udp]   (repeatable)
//   --dns IP                                                 (repeatable)
//   --add-host NAME:IP                                       (repeatable)
// run_options registers them with the rest of run's flags and has them parsed here into the
// runner's NetworkSpec, once. Parsing is the runner's (runner/net/network_parse.h).
#pragma once

#include <string>
#include <vector>

#include "runner/spec.h"

namespace CLI {
class App;
}

namespace dabba::cli {

struct NetworkFlags {
  std::string network = "slirp4netns";  // --network, --net (several: joined by newlines)
  std::vector<std::string> aliases;     // --network-alias
  std::string ip;                       // --ip
  std::string mac;                      // --mac-address
  std::vector<std::string> publish;     // -p, --publish
  bool publish_all = false;             // -P, --publish-all: the image's ExposedPorts, free ports
  std::vector<std::string> dns;         // --dns
  std::vector<std::string> add_host;    // --add-host
  std::vector<std::string> dns_search;  // --dns-search
  std::vector<std::string> dns_opt;     // --dns-opt, --dns-option
  // Not a flag: containers.conf's default_rootless_network_cmd is pasta (the default mode, and the
  // networks' namespace's way out).
  bool pasta_default = false;
  // Not flags: containers.conf's base_hosts_file and host_containers_internal_ip.
  std::string base_hosts_file;
  std::string host_internal_ip;
};

void register_network_flags(CLI::App& app, NetworkFlags& flags);

// The flags as the runner's plain data, checked as a whole (-p needs slirp4netns, no port twice,
// ...). Throws Error{kInvalidArgument} with a hint.
runner::NetworkSpec parse_network_flags(const NetworkFlags& flags);

// The ports a running container published ("127.0.0.1:8080->80/tcp", host ports as chosen at its
// start), from the runner's record in its directory; empty when there is none or it is unreadable.
std::vector<std::string> published_ports(const std::string& container_dir) noexcept;

}  // namespace dabba::cli
