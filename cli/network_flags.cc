#include "cli/network_flags.h"

#include <CLI/CLI.hpp>

#include "runner/etc_files.h"
#include "runner/net/network_parse.h"
#include "runner/net/port_publish.h"

namespace dabba::cli {
namespace {

// One value per flag, given as often as wanted (-p 80 -p 443): CLI11 would otherwise let a vector
// option swallow the image and the command after it.
CLI::Option* one_each(CLI::Option* option) {
  return option->allow_extra_args(false)->expected(1)->multi_option_policy(
      CLI::MultiOptionPolicy::TakeAll);
}

}  // namespace

void register_network_flags(CLI::App& app, NetworkFlags& f) {
  app.add_option("--network,--net", f.network,
                 "slirp4netns[:OPTIONS] (its own network, reaching out through the host), none "
                 "(only lo) or host (the host's network). OPTIONS: allow_host_loopback=true, "
                 "mtu=N, cidr=A.B.C.0/24, enable_ipv6=true")
      ->capture_default_str();
  one_each(app.add_option("-p,--publish", f.publish,
                          "publish a container port on the host: [IP:][HOSTPORT:]CONTAINERPORT"
                          "[/tcp|/udp] (no HOSTPORT: a free one)"));
  app.add_flag("-P,--publish-all", f.publish_all,
               "publish every port the image exposes on a free host port");
  one_each(app.add_option("--dns", f.dns, "a DNS server for the container (replaces the default)"));
  one_each(app.add_option("--add-host", f.add_host, "add NAME:IP to the container's /etc/hosts"));
}

runner::NetworkSpec parse_network_flags(const NetworkFlags& f) {
  runner::NetworkSpec n = runner::parse_network(f.network);
  for (const auto& p : f.publish) n.ports.push_back(runner::parse_publish(p));
  for (const auto& d : f.dns) n.dns.push_back(runner::parse_dns(d));
  for (const auto& h : f.add_host) n.extra_hosts.push_back(runner::parse_add_host(h));
  runner::validate_network(n);
  return n;
}

void apply_network_flags(const NetworkFlags& f, runner::Spec& spec) {
  spec.network = parse_network_flags(f);
  spec.etc = runner::default_etc_files(spec.hostname, spec.network);
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
