#include "runner/net/network_parse.h"

#include <arpa/inet.h>
#include <sys/random.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>

#include "common/error.h"
#include "common/text.h"

namespace dabba::runner {
namespace {

Error invalid(const std::string& what, const std::string& hint = {}) {
  return Error(Errc::kInvalidArgument, what, 0, hint);
}

bool is_ipv4(const std::string& text) {
  struct in_addr a;
  return ::inet_pton(AF_INET, text.c_str(), &a) == 1;
}

bool is_ipv6(const std::string& text) {
  struct in6_addr a;
  return ::inet_pton(AF_INET6, text.c_str(), &a) == 1;
}

// A decimal number in [lo, hi], nothing else (no sign, no spaces, no trailing text).
bool parse_number(const std::string& text, unsigned long lo, unsigned long hi, unsigned long& out) {
  if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos)
    return false;
  out = std::strtoul(text.c_str(), nullptr, 10);
  return out >= lo && out <= hi;
}

bool parse_bool(const std::string& key, const std::string& value) {
  if (value == "true" || value == "1") return true;
  if (value == "false" || value == "0") return false;
  throw invalid("slirp4netns option " + key + "=" + value + ": not a boolean",
                "use " + key + "=true or " + key + "=false");
}

const char* kSlirpOptionsHint =
    "known options: allow_host_loopback=true|false, mtu=N, cidr=A.B.C.0/N, enable_ipv6=true|false, "
    "outbound_addr=IPv4, outbound_addr6=IPv6, port_handler=rootlesskit|slirp4netns; e.g. "
    "--network slirp4netns:allow_host_loopback=true,mtu=1500";

uint32_t ipv4_host_order(const std::string& text) {
  struct in_addr a;
  ::inet_pton(AF_INET, text.c_str(), &a);
  return ntohl(a.s_addr);
}

std::string ipv4_text(uint32_t host_order) {
  struct in_addr a;
  a.s_addr = htonl(host_order);
  char buf[INET_ADDRSTRLEN];
  ::inet_ntop(AF_INET, &a, buf, sizeof buf);
  return buf;
}

// "A.B.C.D/N" -> network and prefix; the host part must be zero and .100 must fit (N <= 25, as
// slirp4netns requires).
std::pair<uint32_t, int> parse_cidr(const std::string& cidr) {
  auto bad = [&](const std::string& why) {
    return invalid("slirp4netns option cidr=" + cidr + ": " + why,
                   "give a network address and a prefix length from 1 to 25, e.g. "
                   "cidr=10.10.0.0/24");
  };
  auto slash = cidr.find('/');
  if (slash == std::string::npos) throw bad("no prefix length");
  std::string addr = cidr.substr(0, slash);
  unsigned long prefix = 0;
  if (!is_ipv4(addr)) throw bad("'" + addr + "' is not an IPv4 address");
  if (!parse_number(cidr.substr(slash + 1), 1, 25, prefix))
    throw bad("the prefix length must be 1 to 25 (the container's address is the network's .100)");
  uint32_t network = ipv4_host_order(addr);
  uint32_t mask = prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix);
  if ((network & ~mask) != 0)
    throw bad("host bits are set (the network address is " + ipv4_text(network & mask) + ")");
  return {network, static_cast<int>(prefix)};
}

uint16_t parse_port(const std::string& text, const std::string& what, const std::string& flag,
                    bool zero_ok) {
  unsigned long port = 0;
  if (text.find('-') != std::string::npos)
    throw invalid("-p " + flag + ": port ranges are not supported",
                  "publish each port with its own -p");
  if (!parse_number(text, zero_ok ? 0 : 1, 65535, port))
    throw invalid("-p " + flag + ": invalid " + what + " '" + text + "'",
                  "ports are numbers from 1 to 65535: -p [IP:][HOSTPORT:]CONTAINERPORT[/tcp|/udp]");
  return static_cast<uint16_t>(port);
}

}  // namespace

const char* port_protocol_name(PortProtocol protocol) {
  return protocol == PortProtocol::kUdp ? "udp" : "tcp";
}

SlirpOptions parse_slirp_options(const std::string& text) {
  SlirpOptions o;
  if (text.empty()) return o;
  for (const std::string& item : split(text, ',')) {
    if (item.empty()) continue;
    auto eq = item.find('=');
    if (eq == std::string::npos)
      throw invalid("slirp4netns option '" + item + "' has no value", kSlirpOptionsHint);
    std::string key = item.substr(0, eq), value = item.substr(eq + 1);
    if (key == "allow_host_loopback") {
      o.allow_host_loopback = parse_bool(key, value);
    } else if (key == "enable_ipv6") {
      o.enable_ipv6 = parse_bool(key, value);
    } else if (key == "mtu") {
      unsigned long mtu = 0;
      // 68: the least IPv4 allows; 65521: the most slirp4netns takes.
      if (!parse_number(value, 68, 65521, mtu))
        throw invalid("slirp4netns option mtu=" + value + ": must be a number from 68 to 65521");
      o.mtu = static_cast<unsigned>(mtu);
    } else if (key == "cidr") {
      parse_cidr(value);
      o.cidr = value;
    } else if (key == "outbound_addr") {
      if (!is_ipv4(value))
        throw invalid("slirp4netns option outbound_addr=" + value + ": not an IPv4 address");
      o.outbound_addr = value;
    } else if (key == "outbound_addr6") {
      if (!is_ipv6(value))
        throw invalid("slirp4netns option outbound_addr6=" + value + ": not an IPv6 address");
      o.outbound_addr6 = value;
    } else if (key == "port_handler") {
      // podman's two handlers; dabba has one, its own relay (port_relay.h), which works as
      // podman's default (rootlesskit) does. Either spelling is accepted and means it.
      if (value != "rootlesskit" && value != "slirp4netns")
        throw invalid("slirp4netns option port_handler=" + value + " is not supported",
                      "dabba publishes ports through its own relay: port_handler=rootlesskit "
                      "or slirp4netns (both mean it) or none given");
    } else {
      throw invalid("unknown slirp4netns option '" + key + "'", kSlirpOptionsHint);
    }
  }
  if (o.enable_ipv6 && o.mtu < 1280)
    throw invalid("slirp4netns option mtu=" + std::to_string(o.mtu) +
                  ": IPv6 needs an MTU of at least 1280");
  return o;
}

SlirpAddresses slirp_addresses(const SlirpOptions& options) {
  SlirpAddresses a;
  if (options.cidr.empty()) return a;
  auto [network, prefix] = parse_cidr(options.cidr);
  a.network = ipv4_text(network);
  a.prefix = prefix;
  a.gateway = ipv4_text(network + 2);
  a.dns = ipv4_text(network + 3);
  a.guest = ipv4_text(network + 100);
  return a;
}

PortMapping parse_publish(const std::string& text) {
  PortMapping p;
  std::string rest = text;
  auto slash = rest.rfind('/');
  if (slash != std::string::npos) {
    std::string proto = rest.substr(slash + 1);
    if (proto == "tcp") {
      p.protocol = PortProtocol::kTcp;
    } else if (proto == "udp") {
      p.protocol = PortProtocol::kUdp;
    } else {
      throw invalid("-p " + text + ": unknown protocol '" + proto + "'", "use /tcp or /udp");
    }
    rest = rest.substr(0, slash);
  }
  if (!rest.empty() && rest[0] == '[')
    throw invalid("-p " + text + ": IPv6 host addresses are not supported",
                  "slirp4netns forwards IPv4 only: give an IPv4 address, or none for all");
  std::vector<std::string> parts = split(rest, ':');
  if (parts.size() > 3 || rest.empty())
    throw invalid("-p " + text + ": expected [IP:][HOSTPORT:]CONTAINERPORT[/tcp|/udp]",
                  "e.g. -p 8080:80, -p 127.0.0.1:8080:80/tcp, -p 127.0.0.1::80, -p 80");
  p.container_port = parse_port(parts.back(), "container port", text, false);
  if (parts.size() >= 2) {
    const std::string& host_port = parts[parts.size() - 2];
    // "IP::CPORT" leaves the host port to us, as does an explicit 0.
    if (!(parts.size() == 3 && host_port.empty()))
      p.host_port = parse_port(host_port, "host port", text, true);
  }
  if (parts.size() == 3) {
    p.host_ip = parts[0];
    if (!p.host_ip.empty() && !is_ipv4(p.host_ip))
      throw invalid("-p " + text + ": '" + p.host_ip + "' is not an IPv4 address",
                    "give the host address as numbers, e.g. 127.0.0.1");
    if (p.host_ip == "0.0.0.0") p.host_ip.clear();
  }
  return p;
}

std::vector<PortMapping> parse_publish_ranges(const std::string& text) {
  if (text.find('-') == std::string::npos) return {parse_publish(text)};
  std::string rest = text, proto;
  if (auto slash = rest.rfind('/'); slash != std::string::npos) {
    proto = rest.substr(slash);
    rest.resize(slash);
  }
  std::vector<std::string> parts = split(rest, ':');
  auto range = [&](const std::string& r) -> std::pair<unsigned long, unsigned long> {
    const auto dash = r.find('-');
    unsigned long a = 0, b = 0;
    if (dash == std::string::npos) {
      if (!parse_number(r, 1, 65535, a)) parse_port(r, "port", text, false);  // its words
      return {a, a};
    }
    if (!parse_number(r.substr(0, dash), 1, 65535, a) ||
        !parse_number(r.substr(dash + 1), 1, 65535, b) || b < a)
      throw invalid("-p " + text + ": invalid port range '" + r + "'",
                    "a range is FIRST-LAST with FIRST <= LAST, e.g. -p 8000-8002:8000-8002");
    return {a, b};
  };
  if (parts.empty() || parts.size() > 3)
    throw invalid("-p " + text + ": expected [IP:][HOSTPORTS:]CONTAINERPORTS[/tcp|/udp]");
  const auto [c1, c2] = range(parts.back());
  const bool host_given = parts.size() >= 2 && !parts[parts.size() - 2].empty();
  std::pair<unsigned long, unsigned long> h{0, 0};
  if (host_given) {
    h = range(parts[parts.size() - 2]);
    if (h.second - h.first != c2 - c1)
      throw invalid("-p " + text + ": the host and container port ranges differ in length",
                    "give ranges of the same length, e.g. -p 8000-8002:9000-9002");
  }
  const std::string ip = parts.size() == 3 ? parts[0] + ":" : "";
  std::vector<PortMapping> out;
  for (unsigned long i = 0; i <= c2 - c1; ++i) {
    const std::string host = host_given ? std::to_string(h.first + i) + ":"
                             : parts.size() >= 2 ? ":"
                                                 : "";
    out.push_back(parse_publish(ip + host + std::to_string(c1 + i) + proto));
  }
  return out;
}

std::string format_port(const PortMapping& port) {
  return (port.host_ip.empty() ? std::string("0.0.0.0") : port.host_ip) + ":" +
         std::to_string(port.host_port) + "->" + std::to_string(port.container_port) + "/" +
         port_protocol_name(port.protocol);
}

std::string format_ports(const std::vector<PortMapping>& ports) {
  std::string out;
  for (const auto& p : ports) out += (out.empty() ? "" : ", ") + format_port(p);
  return out;
}

PortMapping parse_formatted_port(const std::string& text) {
  auto arrow = text.find("->");
  auto colon = text.rfind(':', arrow);
  if (arrow == std::string::npos || colon == std::string::npos)
    throw Error(Errc::kCorrupt, "bad published port record '" + text + "'");
  PortMapping p =
      parse_publish(text.substr(0, colon) + ":" + text.substr(colon + 1, arrow - colon - 1) + ":" +
                    text.substr(arrow + 2));
  return p;
}

HostEntry parse_add_host(const std::string& text) {
  auto bad = [&](const std::string& why) {
    return invalid("--add-host " + text + ": " + why,
                   "use --add-host NAME:IP, e.g. --add-host db:10.0.2.2 or --add-host "
                   "gw:host-gateway");
  };
  // A host name has no ':' and no '=', so the first of them ends it (IPv6 addresses follow).
  auto sep = text.find_first_of(":=");
  if (sep == std::string::npos) throw bad("no IP address");
  HostEntry e{text.substr(0, sep), text.substr(sep + 1)};
  if (e.name.empty()) throw bad("no host name");
  if (e.name.find_first_of(" \t\n#") != std::string::npos) throw bad("not a host name");
  if (e.ip.size() > 2 && e.ip.front() == '[' && e.ip.back() == ']')
    e.ip = e.ip.substr(1, e.ip.size() - 2);
  if (e.ip != kHostGateway && !is_ipv4(e.ip) && !is_ipv6(e.ip))
    throw bad("'" + e.ip + "' is not an IP address");
  return e;
}

std::string parse_dns(const std::string& text) {
  if (!is_ipv4(text) && !is_ipv6(text))
    throw invalid("--dns " + text + ": not an IP address", "give the DNS server's address");
  return text;
}

std::string parse_mac_address(const std::string& text) {
  auto bad = [&] {
    return invalid("invalid MAC address " + text,
                   "give six hexadecimal bytes, as 92:d0:c6:0a:29:33");
  };
  if (text.size() != 17) throw bad();
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (i % 3 == 2) {
      if (c != ':' && c != '-') throw bad();
      out += ':';
    } else {
      if (!std::isxdigit(static_cast<unsigned char>(c))) throw bad();
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  if (std::stoi(out.substr(0, 2), nullptr, 16) & 1)
    throw invalid("MAC address " + text + " is a multicast address",
                  "the first byte must be even (02:... is a local unicast one)");
  return out;
}

std::string random_mac_address() {
  unsigned char b[6];
  if (::getrandom(b, sizeof b, 0) != static_cast<ssize_t>(sizeof b)) throw_errno("getrandom");
  b[0] = static_cast<unsigned char>((b[0] & 0xfe) | 0x02);  // unicast, locally administered
  char text[18];
  std::snprintf(text, sizeof text, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4],
                b[5]);
  return text;
}

void validate_network(const NetworkSpec& network) {
  if (!network.ports.empty() && network.mode != NetworkMode::kSlirp4netns &&
      network.mode != NetworkMode::kBridge && network.mode != NetworkMode::kPasta)
    throw invalid(
        std::string("-p cannot publish ports with --network ") + network_mode_name(network.mode),
        network.mode == NetworkMode::kHost
            ? "with --network host the container's ports are the host's already"
        : network.mode == NetworkMode::kContainer
            ? "publish them on the container whose network this one shares"
            : "use --network slirp4netns (the default) to publish ports");
  if (network.mode == NetworkMode::kNone)
    for (const auto& h : network.extra_hosts)
      if (h.ip == kHostGateway)
        throw invalid("--add-host " + h.name + ":host-gateway needs a network",
                      "--network none has no way to the host");
  const auto& ports = network.ports;
  for (size_t i = 0; i < ports.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      const PortMapping& a = ports[i];
      const PortMapping& b = ports[j];
      // A port on every address clashes with the same port on any one address.
      if (a.host_port != 0 && a.host_port == b.host_port && a.protocol == b.protocol &&
          (a.host_ip == b.host_ip || a.host_ip.empty() || b.host_ip.empty()))
        throw invalid("-p: host port " + std::to_string(a.host_port) + "/" +
                      port_protocol_name(a.protocol) + " is published twice");
    }
  }
}

}  // namespace dabba::runner
