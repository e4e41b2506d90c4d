#include "runner/net/network_etc_files.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <algorithm>
#include <sstream>
#include <vector>

#include "common/fs.h"
#include "common/text.h"
#include "runner/net/network_parse.h"

namespace dabba::runner {
namespace {

const char* kLocalhost =
    "127.0.0.1\tlocalhost\n"
    "::1\tlocalhost ip6-localhost ip6-loopback\n";

std::string with_newline(std::string text) {
  if (!text.empty() && text.back() != '\n') text += '\n';
  return text;
}

// The resolv.conf a container gets: search, nameservers, options.
std::string format_resolv_conf(const ResolvConf& rc) {
  std::string out;
  if (!rc.search.empty()) out += "search " + rc.search + "\n";
  for (const auto& ns : rc.nameservers) out += "nameserver " + ns + "\n";
  if (!rc.options.empty()) out += "options " + rc.options + "\n";
  return out;
}

// The host's file with its nameserver lines replaced by servers (--dns with --network host).
std::string replace_nameservers(const std::string& text, const std::vector<std::string>& servers) {
  std::string out;
  bool placed = false;
  for (const std::string& line : split_lines(text)) {
    std::istringstream words(line);
    std::string key;
    words >> key;
    if (key == "nameserver") {
      if (!placed)
        for (const auto& s : servers) out += "nameserver " + s + "\n";
      placed = true;
      continue;
    }
    out += line + "\n";
  }
  if (!placed)
    for (const auto& s : servers) out += "nameserver " + s + "\n";
  return out;
}

std::string resolve_host_gateway(const std::string& ip, const NetworkSpec& network) {
  if (ip != kHostGateway) return ip;
  if (network.mode == NetworkMode::kSlirp4netns) return slirp_addresses(network.slirp).gateway;
  if (network.mode == NetworkMode::kBridge && !network.networks.empty())
    return network.networks.front().gateway;
  return "127.0.0.1";  // --network host: the host is right here
}

std::vector<std::string> split_words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

// containers.conf's base_hosts_file under dabba's lines, as podman 4.3 merges them: the base
// file's lines first, then each of ours that names nothing the base file names.
std::string over_base_hosts(const std::string& base, const std::string& ours) {
  std::vector<std::string> names;
  std::string out;
  for (const std::string& line : split_lines(base)) {
    out += line + "\n";
    const std::string entry = line.substr(0, line.find('#'));
    std::vector<std::string> words = split_words(entry);
    for (size_t w = 1; w < words.size(); ++w) names.push_back(words[w]);
  }
  for (const std::string& line : split_lines(ours)) {
    std::vector<std::string> words = split_words(line);
    const bool known = std::any_of(words.begin() + (words.empty() ? 0 : 1), words.end(),
                                   [&](const std::string& n) {
                                     return std::find(names.begin(), names.end(), n) != names.end();
                                   });
    if (!known && !words.empty()) out += line + "\n";
  }
  return out;
}

}  // namespace

HostNetworkFiles read_host_network_files(bool with_host_ip) {
  HostNetworkFiles f;
  read_file_if_exists("/etc/hosts", f.hosts);
  read_file_if_exists("/etc/resolv.conf", f.resolv_conf);
  ifaddrs* list = nullptr;
  if (with_host_ip && ::getifaddrs(&list) == 0) {
    for (ifaddrs* a = list; a != nullptr && f.host_ip.empty(); a = a->ifa_next) {
      if (a->ifa_addr == nullptr || a->ifa_addr->sa_family != AF_INET) continue;
      if (a->ifa_flags & IFF_LOOPBACK) continue;
      char text[INET_ADDRSTRLEN];
      const auto* in = reinterpret_cast<const sockaddr_in*>(a->ifa_addr);
      if (::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text)) f.host_ip = text;
    }
    ::freeifaddrs(list);
  }
  return f;
}

ResolvConf parse_resolv_conf(const std::string& text) {
  ResolvConf rc;
  for (std::string line : split_lines(text)) {
    auto hash = line.find_first_of("#;");
    if (hash != std::string::npos) line.resize(hash);
    std::istringstream words(line);
    std::string key;
    if (!(words >> key)) continue;
    std::string rest;
    std::getline(words, rest);
    rest = trim(rest);
    if (key == "nameserver" && !rest.empty()) {
      rc.nameservers.push_back(rest.substr(0, rest.find_first_of(" \t")));
    } else if (key == "search" || key == "domain") {
      rc.search = rest;
    } else if (key == "options" && !rest.empty()) {
      rc.options += (rc.options.empty() ? "" : " ") + rest;
    }
  }
  return rc;
}

EtcFiles network_etc_files(const std::string& hostname, const NetworkSpec& network,
                           const HostNetworkFiles& host_files) {
  HostNetworkFiles host = host_files;
  if (!network.host_internal_ip.empty()) host.host_ip = network.host_internal_ip;
  EtcFiles f;
  f.hostname = hostname + "\n";
  ResolvConf from_host = parse_resolv_conf(host.resolv_conf);
  switch (network.mode) {
    case NetworkMode::kHost:
      f.hosts = with_newline(host.hosts) + "127.0.1.1\t" + hostname + "\n";
      f.resolv_conf = network.dns.empty() ? host.resolv_conf
                                          : replace_nameservers(host.resolv_conf, network.dns);
      break;
    case NetworkMode::kNone:
    case NetworkMode::kContainer: {  // (the CLI gives it the other container's files)
      f.hosts = std::string(kLocalhost) + "127.0.1.1\t" + hostname + "\n";
      // No way out, so no nameserver but those asked for.
      ResolvConf rc;
      if (!network.dns.empty()) {
        rc = from_host;
        rc.nameservers = network.dns;
      }
      f.resolv_conf = format_resolv_conf(rc);
      break;
    }
    case NetworkMode::kSlirp4netns: {
      SlirpAddresses a = slirp_addresses(network.slirp);
      // As podman 4.3 writes it: the address, the hostname, the container's name (even when
      // they are the same).
      f.hosts = std::string(kLocalhost) + a.guest + "\t" + hostname +
                (network.container_name.empty() ? "" : " " + network.container_name) + "\n";
      // podman's names for the host; they reach it only when its loopback is allowed.
      if (network.slirp.allow_host_loopback)
        f.hosts += a.gateway + "\thost.containers.internal host.docker.internal\n";
      else if (!host.host_ip.empty())
        f.hosts += host.host_ip + "\thost.containers.internal\n";  // as podman 4 writes it
      ResolvConf rc = from_host;
      rc.nameservers = network.dns;
      if (rc.nameservers.empty()) {
        rc.nameservers.push_back(a.dns);
        if (network.slirp.enable_ipv6) rc.nameservers.push_back(a.dns6);
      }
      f.resolv_conf = format_resolv_conf(rc);
      break;
    }
    case NetworkMode::kPasta: {
      // pasta copies the host's addresses and routes, and its DNS: the host's resolv.conf (as
      // podman's pasta mode), localhost and the hostname.
      f.hosts = std::string(kLocalhost) + "127.0.1.1\t" + hostname + "\n";
      f.resolv_conf = network.dns.empty() ? host.resolv_conf
                                          : replace_nameservers(host.resolv_conf, network.dns);
      break;
    }
    case NetworkMode::kBridge: {
      // As podman writes them: the container's address on each network beside its hostname and
      // name, the gateway of each network with DNS as nameserver (aardvark-dns; search
      // dns.podman), else slirp4netns's forwarder, which the networks' namespace reaches.
      f.hosts = kLocalhost;
      for (const auto& a : network.networks) {
        f.hosts += a.ip + "\t" + hostname;
        if (!network.container_name.empty()) f.hosts += " " + network.container_name;
        f.hosts += "\n";
      }
      if (!host.host_ip.empty()) f.hosts += host.host_ip + "\thost.containers.internal\n";
      ResolvConf rc = from_host;
      rc.nameservers = network.dns;
      bool dns = false;
      for (const auto& a : network.networks)
        if (a.dns_enabled) {
          dns = true;
          if (network.dns.empty()) rc.nameservers.push_back(a.gateway);
        }
      if (dns) rc.search = "dns.podman" + (rc.search.empty() ? "" : " " + rc.search);
      if (rc.nameservers.empty()) rc.nameservers.push_back(SlirpAddresses().dns);
      f.resolv_conf = format_resolv_conf(rc);
      break;
    }
  }
  if (!network.dns_search.empty() || !network.dns_options.empty()) {
    ResolvConf rc = parse_resolv_conf(f.resolv_conf);
    auto joined = [](const std::vector<std::string>& v) {
      std::string out;
      for (const auto& s : v) out += (out.empty() ? "" : " ") + s;
      return out;
    };
    // podman: --dns-search=. means no search domains.
    if (!network.dns_search.empty())
      rc.search =
          network.dns_search == std::vector<std::string>{"."} ? "" : joined(network.dns_search);
    if (!network.dns_options.empty()) rc.options = joined(network.dns_options);
    f.resolv_conf = format_resolv_conf(rc);
  }
  for (const auto& h : network.extra_hosts)
    f.hosts += resolve_host_gateway(h.ip, network) + "\t" + h.name + "\n";
  if (!network.base_hosts.empty() && network.mode != NetworkMode::kHost)
    f.hosts = over_base_hosts(network.base_hosts, f.hosts);
  return f;
}

}  // namespace dabba::runner
