// The network's plain parts: flag parsing, the /etc files per mode, the host-port probes (on
// 127.0.0.1 only) and the API request. slirp4netns itself is exercised by
// tests/integration/network_*.sh.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

#include "common/error.h"
#include "common/fs.h"
#include "common/unique_fd.h"
#include "runner/etc_files.h"
#include "runner/net/network.h"
#include "runner/net/network_etc_files.h"
#include "runner/net/network_parse.h"
#include "runner/net/port_publish.h"
#include "runner/spec.h"
#include "tests/support/error_of.h"

namespace dabba::runner {
namespace {

using testing_support::error_of;

TEST(SlirpOptions, DefaultsArePodmans) {
  SlirpOptions o = parse_slirp_options("");
  EXPECT_FALSE(o.allow_host_loopback);
  EXPECT_EQ(o.mtu, 65520u);
  EXPECT_EQ(o.cidr, "");
  EXPECT_FALSE(o.enable_ipv6);
  EXPECT_EQ(parse_network("slirp4netns").slirp, o);
}

TEST(SlirpOptions, EveryOption) {
  SlirpOptions o = parse_slirp_options(
      "allow_host_loopback=true,mtu=1500,cidr=10.10.0.0/16,enable_ipv6=true,"
      "outbound_addr=127.0.0.1,outbound_addr6=::1,port_handler=slirp4netns");
  EXPECT_TRUE(o.allow_host_loopback);
  EXPECT_EQ(o.mtu, 1500u);
  EXPECT_EQ(o.cidr, "10.10.0.0/16");
  EXPECT_TRUE(o.enable_ipv6);
  EXPECT_EQ(o.outbound_addr, "127.0.0.1");
  EXPECT_EQ(o.outbound_addr6, "::1");
  EXPECT_FALSE(parse_slirp_options("allow_host_loopback=false").allow_host_loopback);
  EXPECT_EQ(parse_network("slirp4netns:mtu=9000").slirp.mtu, 9000u);
}

TEST(SlirpOptions, BadOnesAreClearErrors) {
  Error e = error_of([] { parse_slirp_options("allow_host_loopbak=true"); });
  EXPECT_EQ(e.code(), Errc::kInvalidArgument);
  EXPECT_NE(std::string(e.what()).find("allow_host_loopbak"), std::string::npos);
  EXPECT_NE(e.hint().find("allow_host_loopback=true"), std::string::npos);
  for (const char* bad :
       {"mtu=0", "mtu=67", "mtu=65522", "mtu=x", "mtu=-1", "mtu", "cidr=10.0.2.0",
        "cidr=10.0.2.0/26", "cidr=10.0.2.1/24", "cidr=banana/24", "enable_ipv6=yes",
        "port_handler=pasta", "outbound_addr=eth0", "enable_ipv6=true,mtu=1000"}) {
    EXPECT_THROW(parse_slirp_options(bad), Error) << bad;
  }
  EXPECT_THROW(parse_network("slirp4netns:nope=1"), Error);
  EXPECT_THROW(parse_network("none:mtu=1"), Error);
}

TEST(SlirpOptions, AddressesFollowTheCidr) {
  SlirpAddresses d = slirp_addresses(SlirpOptions{});
  EXPECT_EQ(d.gateway, "10.0.2.2");
  EXPECT_EQ(d.dns, "10.0.2.3");
  EXPECT_EQ(d.guest, "10.0.2.100");
  SlirpAddresses a = slirp_addresses(parse_slirp_options("cidr=192.168.7.0/24"));
  EXPECT_EQ(a.gateway, "192.168.7.2");
  EXPECT_EQ(a.dns, "192.168.7.3");
  EXPECT_EQ(a.guest, "192.168.7.100");
  EXPECT_EQ(a.prefix, 24);
  EXPECT_EQ(slirp_addresses(parse_slirp_options("cidr=10.1.0.0/16")).guest, "10.1.0.100");
}

TEST(Publish, EveryForm) {
  EXPECT_EQ(parse_publish("80"), (PortMapping{"", 0, 80, PortProtocol::kTcp}));
  EXPECT_EQ(parse_publish("80/udp"), (PortMapping{"", 0, 80, PortProtocol::kUdp}));
  EXPECT_EQ(parse_publish("8080:80"), (PortMapping{"", 8080, 80, PortProtocol::kTcp}));
  EXPECT_EQ(parse_publish("127.0.0.1:8080:80/tcp"),
            (PortMapping{"127.0.0.1", 8080, 80, PortProtocol::kTcp}));
  EXPECT_EQ(parse_publish("127.0.0.1::53/udp"),
            (PortMapping{"127.0.0.1", 0, 53, PortProtocol::kUdp}));
  EXPECT_EQ(parse_publish("0.0.0.0:1:65535"), (PortMapping{"", 1, 65535, PortProtocol::kTcp}));
  EXPECT_EQ(parse_publish("0:80").host_port, 0);
}

TEST(Publish, BadOnes) {
  for (const char* bad : {"", "0", "65536", "80/sctp", "x:80", "localhost:80:80", "1:2:3:4",
                          "8000-8001:80-81", "[::1]:80:80", "80/", ":", "127.0.0.1:8080:"}) {
    Error e = error_of([&] { parse_publish(bad); });
    EXPECT_EQ(e.code(), Errc::kInvalidArgument) << bad;
    EXPECT_FALSE(e.hint().empty()) << bad;
  }
}

TEST(Publish, FormatAsDockerPsAndBack) {
  PortMapping p{"127.0.0.1", 8080, 80, PortProtocol::kTcp};
  EXPECT_EQ(format_port(p), "127.0.0.1:8080->80/tcp");
  PortMapping all{"", 5353, 53, PortProtocol::kUdp};
  EXPECT_EQ(format_port(all), "0.0.0.0:5353->53/udp");
  EXPECT_EQ(format_ports({p, all}), "127.0.0.1:8080->80/tcp, 0.0.0.0:5353->53/udp");
  EXPECT_EQ(parse_formatted_port(format_port(p)), p);
  EXPECT_EQ(parse_formatted_port(format_port(all)), all);
}

TEST(AddHost, DockerForms) {
  EXPECT_EQ(parse_add_host("db:10.0.0.5"), (HostEntry{"db", "10.0.0.5"}));
  EXPECT_EQ(parse_add_host("db=10.0.0.5"), (HostEntry{"db", "10.0.0.5"}));
  EXPECT_EQ(parse_add_host("v6:2001:db8::1"), (HostEntry{"v6", "2001:db8::1"}));
  EXPECT_EQ(parse_add_host("v6:[::1]"), (HostEntry{"v6", "::1"}));
  EXPECT_EQ(parse_add_host("gw:host-gateway"), (HostEntry{"gw", "host-gateway"}));
  for (const char* bad : {"db", ":1.2.3.4", "db:", "db:nope", "a b:1.2.3.4"})
    EXPECT_THROW(parse_add_host(bad), Error) << bad;
  EXPECT_EQ(parse_dns("1.1.1.1"), "1.1.1.1");
  EXPECT_EQ(parse_dns("2606:4700::1111"), "2606:4700::1111");
  EXPECT_THROW(parse_dns("dns.example"), Error);
}

TEST(ParseMacAddress, SixBytesLowerCasedUnicastOnly) {
  EXPECT_EQ(parse_mac_address("92:D0:c6:0a:29:33"), "92:d0:c6:0a:29:33");
  EXPECT_EQ(parse_mac_address("02-00-00-00-00-01"), "02:00:00:00:00:01");
  for (const char* bad :
       {"", "02:00:00:00:00", "02:00:00:00:00:0g", "0200.0000.0001", "01:00:5e:00:00:01"})
    EXPECT_THROW(parse_mac_address(bad), Error) << bad;
}

TEST(RandomMacAddress, LocallyAdministeredUnicastAndFresh) {
  const std::string a = random_mac_address();
  EXPECT_EQ(parse_mac_address(a), a);
  EXPECT_EQ(std::stoi(a.substr(0, 2), nullptr, 16) & 3, 2);
  EXPECT_NE(a, random_mac_address());
}

TEST(ValidateNetwork, PortsNeedSlirp) {
  NetworkSpec n = parse_network("host");
  n.ports.push_back(parse_publish("8080:80"));
  Error e = error_of([&] { validate_network(n); });
  EXPECT_NE(std::string(e.what()).find("--network host"), std::string::npos);
  n.mode = NetworkMode::kNone;
  EXPECT_THROW(validate_network(n), Error);
  n.mode = NetworkMode::kSlirp4netns;
  EXPECT_NO_THROW(validate_network(n));
  n.ports.push_back(parse_publish("127.0.0.1:8080:81"));
  EXPECT_THROW(validate_network(n), Error);  // 0.0.0.0:8080 and 127.0.0.1:8080
  n.ports.back() = parse_publish("8080:80/udp");
  EXPECT_NO_THROW(validate_network(n));  // another protocol
  NetworkSpec none = parse_network("none");
  none.extra_hosts.push_back(parse_add_host("gw:host-gateway"));
  EXPECT_THROW(validate_network(none), Error);
}

const HostNetworkFiles kHost = {
    "127.0.0.1 localhost\n10.9.9.9 build-server\n",
    "# from DHCP\ndomain old.example\nsearch corp.example lab.example\nnameserver 192.0.2.53\n"
    "nameserver 192.0.2.54\noptions ndots:2 edns0\noptions timeout:1\n"};

TEST(NetworkEtcFiles, ResolvConfParse) {
  ResolvConf rc = parse_resolv_conf(kHost.resolv_conf);
  EXPECT_EQ(rc.nameservers, (std::vector<std::string>{"192.0.2.53", "192.0.2.54"}));
  EXPECT_EQ(rc.search, "corp.example lab.example");
  EXPECT_EQ(rc.options, "ndots:2 edns0 timeout:1");
}

TEST(NetworkEtcFiles, Slirp) {
  NetworkSpec n = parse_network("slirp4netns");
  EtcFiles f = network_etc_files("web", n, kHost);
  EXPECT_EQ(f.hostname, "web\n");
  EXPECT_EQ(f.resolv_conf,
            "search corp.example lab.example\nnameserver 10.0.2.3\noptions ndots:2 edns0 "
            "timeout:1\n");
  EXPECT_EQ(f.hosts,
            "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n10.0.2.100\tweb\n");
  EXPECT_EQ(f.hosts.find("host.containers.internal"), std::string::npos);
  // With the container's name known: beside the hostname, even the same (podman 4.3's line).
  n.container_name = "web";
  EXPECT_NE(network_etc_files("web", n, kHost).hosts.find("10.0.2.100\tweb web\n"),
            std::string::npos);
  n.container_name.clear();

  n = parse_network("slirp4netns:allow_host_loopback=true,cidr=10.5.0.0/24,enable_ipv6=true");
  n.extra_hosts = {parse_add_host("db:192.0.2.7"), parse_add_host("gw:host-gateway")};
  f = network_etc_files("web", n, kHost);
  EXPECT_NE(f.resolv_conf.find("nameserver 10.5.0.3\nnameserver fd00::3\n"), std::string::npos);
  EXPECT_NE(f.hosts.find("10.5.0.100\tweb\n"), std::string::npos);
  EXPECT_NE(f.hosts.find("10.5.0.2\thost.containers.internal"), std::string::npos);
  EXPECT_NE(f.hosts.find("192.0.2.7\tdb\n"), std::string::npos);
  EXPECT_NE(f.hosts.find("10.5.0.2\tgw\n"), std::string::npos);

  n.dns = {"1.1.1.1", "2606:4700::1111"};
  f = network_etc_files("web", n, kHost);
  EXPECT_EQ(f.resolv_conf,
            "search corp.example lab.example\nnameserver 1.1.1.1\nnameserver 2606:4700::1111\n"
            "options ndots:2 edns0 timeout:1\n");
}

TEST(NetworkEtcFiles, NetworksOfNetworkCreate) {
  NetworkSpec n = parse_network("front\nback");
  n.container_name = "web";
  n.networks[0].ip = "10.89.0.5";
  n.networks[0].gateway = "10.89.0.1";
  n.networks[0].dns_enabled = true;
  n.networks[1].ip = "10.89.1.9";
  n.networks[1].gateway = "10.89.1.1";
  n.networks[1].dns_enabled = false;
  EtcFiles f = network_etc_files("0123456789ab", n, kHost);
  // As podman writes them: aardvark-dns on the gateway of each network with DNS, search
  // dns.podman before the host's domains; the address on each network beside hostname and name.
  EXPECT_EQ(f.resolv_conf,
            "search dns.podman corp.example lab.example\nnameserver 10.89.0.1\noptions ndots:2 "
            "edns0 timeout:1\n");
  EXPECT_NE(f.hosts.find("10.89.0.5\t0123456789ab web\n10.89.1.9\t0123456789ab web\n"),
            std::string::npos);
  n.networks[0].dns_enabled = false;  // no DNS anywhere: slirp4netns's forwarder, no search
  f = network_etc_files("0123456789ab", n, kHost);
  EXPECT_EQ(f.resolv_conf,
            "search corp.example lab.example\nnameserver 10.0.2.3\noptions ndots:2 edns0 "
            "timeout:1\n");
}

TEST(NetworkEtcFiles, Host) {
  NetworkSpec n = parse_network("host");
  EtcFiles f = network_etc_files("box", n, kHost);
  EXPECT_EQ(f.resolv_conf, kHost.resolv_conf);
  EXPECT_EQ(f.hosts, kHost.hosts + "127.0.1.1\tbox\n");
  n.dns = {"1.1.1.1"};
  n.extra_hosts = {parse_add_host("gw:host-gateway")};
  f = network_etc_files("box", n, kHost);
  EXPECT_EQ(f.resolv_conf,
            "# from DHCP\ndomain old.example\nsearch corp.example lab.example\nnameserver "
            "1.1.1.1\noptions ndots:2 edns0\noptions timeout:1\n");
  EXPECT_NE(f.hosts.find("127.0.0.1\tgw\n"), std::string::npos);
}

TEST(NetworkEtcFiles, None) {
  NetworkSpec n = parse_network("none");
  EtcFiles f = network_etc_files("box", n, kHost);
  EXPECT_EQ(f.resolv_conf, "");
  EXPECT_EQ(f.hosts,
            "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\tbox\n");
  n.dns = {"192.0.2.1"};
  n.extra_hosts = {parse_add_host("db:192.0.2.9")};
  f = network_etc_files("box", n, kHost);
  EXPECT_NE(f.resolv_conf.find("nameserver 192.0.2.1\n"), std::string::npos);
  EXPECT_EQ(f.resolv_conf.find("192.0.2.53"), std::string::npos);
  EXPECT_NE(f.hosts.find("192.0.2.9\tdb\n"), std::string::npos);
  // The mode-only entry point agrees.
  EXPECT_EQ(default_etc_files("box", NetworkMode::kNone).hosts,
            network_etc_files("box", parse_network("none"), {}).hosts);
}

// A listening TCP socket on 127.0.0.1 at a kernel-chosen port.
UniqueFd listen_loopback(int type, uint16_t& port) {
  UniqueFd fd(::socket(AF_INET, type | SOCK_CLOEXEC, 0));
  struct sockaddr_in a;
  std::memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(fd.get(), reinterpret_cast<struct sockaddr*>(&a), sizeof a), 0);
  if (type == SOCK_STREAM) {
    EXPECT_EQ(::listen(fd.get(), 1), 0);
  }
  socklen_t len = sizeof a;
  ::getsockname(fd.get(), reinterpret_cast<struct sockaddr*>(&a), &len);
  port = ntohs(a.sin_port);
  return fd;
}

TEST(HostPorts, PortInUseIsNamed) {
  for (int type : {SOCK_STREAM, SOCK_DGRAM}) {
    uint16_t port = 0;
    UniqueFd busy = listen_loopback(type, port);
    PortMapping p{"127.0.0.1", port, 80,
                  type == SOCK_DGRAM ? PortProtocol::kUdp : PortProtocol::kTcp};
    Error e = error_of([&] { reserve_host_ports({p}); });
    EXPECT_EQ(e.code(), Errc::kConflict);
    std::string proto = type == SOCK_DGRAM ? "/udp" : "/tcp";
    EXPECT_NE(std::string(e.what()).find("host port " + std::to_string(port) + proto +
                                         " on 127.0.0.1 is already in use"),
              std::string::npos)
        << e.what();
    // The wildcard address clashes too.
    p.host_ip.clear();
    EXPECT_EQ(error_of([&] { probe_port(p); }).code(), Errc::kConflict);
    busy.reset();
    p.host_ip = "127.0.0.1";
    EXPECT_NO_THROW(probe_port(p));
  }
}

TEST(HostPorts, FreePortsArePicked) {
  auto got = reserve_host_ports({PortMapping{"127.0.0.1", 0, 80, PortProtocol::kTcp},
                                 PortMapping{"127.0.0.1", 0, 53, PortProtocol::kUdp}});
  ASSERT_EQ(got.size(), 2u);
  for (const auto& p : got) {
    EXPECT_NE(p.host_port, 0);
    EXPECT_NO_THROW(probe_port(p));
  }
  EXPECT_EQ(got[0].container_port, 80);
  EXPECT_EQ(got[1].protocol, PortProtocol::kUdp);
}

TEST(HostPorts, AddressNotOnTheHost) {
  // 127.0.0.2 is on lo; 192.0.2.1 (TEST-NET-1) is nobody's.
  Error e = error_of([] { probe_port(PortMapping{"192.0.2.1", 40000, 80, PortProtocol::kTcp}); });
  EXPECT_EQ(e.code(), Errc::kInvalidArgument);
}

TEST(HostPorts, Record) {
  TempDir dir("/tmp", "dabba-ports-test.");
  EXPECT_TRUE(read_published_ports(dir.path()).empty());
  std::vector<PortMapping> ports = {PortMapping{"127.0.0.1", 8080, 80, PortProtocol::kTcp},
                                    PortMapping{"", 5353, 53, PortProtocol::kUdp}};
  write_published_ports(dir.path(), ports);
  EXPECT_EQ(read_published_ports(dir.path()), ports);
  remove_published_ports(dir.path());
  EXPECT_TRUE(read_published_ports(dir.path()).empty());
}

TEST(NetworkSetup, NoneAndHostNeedNone) {
  Spec spec;
  spec.network = parse_network("none");
  EXPECT_EQ(make_network_setup(spec), nullptr);
  spec.network = parse_network("host");
  EXPECT_EQ(make_network_setup(spec), nullptr);
  spec.network.ports.push_back(parse_publish("8080:80"));
  EXPECT_THROW(make_network_setup(spec), Error);
}

TEST(ParsePublishRanges, OneMappingPerPort) {
  std::vector<PortMapping> m = parse_publish_ranges("127.0.0.1:8000-8002:9000-9002/udp");
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(format_ports(m),
            "127.0.0.1:8000->9000/udp, 127.0.0.1:8001->9001/udp, 127.0.0.1:8002->9002/udp");
  m = parse_publish_ranges("7000-7001");  // no host ports: each a free one
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[1].container_port, 7001);
  EXPECT_EQ(m[1].host_port, 0);
  EXPECT_EQ(parse_publish_ranges("8080:80").size(), 1u);
  EXPECT_THROW(parse_publish_ranges("8000-8002:80-81"), Error);
  EXPECT_THROW(parse_publish_ranges("8002-8000:80-82"), Error);
}

}  // namespace
}  // namespace dabba::runner
