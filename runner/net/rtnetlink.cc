#include "runner/net/rtnetlink.h"

#include <arpa/inet.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <sys/socket.h>

#include <cstdio>
#include <cstring>
#include <vector>

#include "common/error.h"

namespace dabba::runner {
namespace {

// One request being built: the nlmsghdr, its fixed header, then attributes (nested ones closed by
// end_nest). Every part is padded to NLMSG_ALIGNTO as the kernel parses it.
class Message {
 public:
  Message(std::uint16_t type, std::uint16_t flags) {
    nlmsghdr h{};
    h.nlmsg_type = type;
    h.nlmsg_flags = static_cast<std::uint16_t>(NLM_F_REQUEST | NLM_F_ACK | flags);
    put(&h, sizeof h);
  }
  template <class T>
  void header(const T& fixed) {
    put(&fixed, sizeof fixed);
  }
  void attr(std::uint16_t type, const void* data, std::size_t length) {
    rtattr a{};
    a.rta_type = type;
    a.rta_len = static_cast<unsigned short>(RTA_LENGTH(length));
    const std::size_t at = bytes_.size();
    put(&a, sizeof a);
    bytes_.resize(at + RTA_LENGTH(0));
    bytes_.insert(bytes_.end(), static_cast<const char*>(data),
                  static_cast<const char*>(data) + length);
    pad();
  }
  void attr(std::uint16_t type, const std::string& text) {
    attr(type, text.c_str(), text.size() + 1);
  }
  void attr_u32(std::uint16_t type, std::uint32_t value) { attr(type, &value, sizeof value); }
  void attr_in4(std::uint16_t type, const std::string& address) {
    in_addr a{};
    if (::inet_pton(AF_INET, address.c_str(), &a) != 1)
      throw Error(Errc::kInvalidArgument, "not an IPv4 address: " + address);
    attr(type, &a, sizeof a);
  }
  std::size_t begin_nest(std::uint16_t type) {
    const std::size_t at = bytes_.size();
    rtattr a{};
    a.rta_type = type;
    put(&a, sizeof a);
    return at;
  }
  void end_nest(std::size_t at) {
    auto* a = reinterpret_cast<rtattr*>(bytes_.data() + at);
    a->rta_len = static_cast<unsigned short>(bytes_.size() - at);
  }
  void* data(std::uint32_t seq) {
    auto* h = reinterpret_cast<nlmsghdr*>(bytes_.data());
    h->nlmsg_len = static_cast<std::uint32_t>(bytes_.size());
    h->nlmsg_seq = seq;
    return bytes_.data();
  }
  std::uint32_t size() const { return static_cast<std::uint32_t>(bytes_.size()); }

 private:
  void put(const void* data, std::size_t length) {
    bytes_.insert(bytes_.end(), static_cast<const char*>(data),
                  static_cast<const char*>(data) + length);
    pad();
  }
  void pad() { bytes_.resize(NLMSG_ALIGN(bytes_.size())); }

  std::vector<char> bytes_;
};

}  // namespace

RtNetlink::RtNetlink()
    : fd_(DABBA_SYSCALL(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE),
                        "netlink socket")) {
  sockaddr_nl local{};
  local.nl_family = AF_NETLINK;
  DABBA_SYSCALL(::bind(fd_.get(), reinterpret_cast<sockaddr*>(&local), sizeof local),
                "bind netlink socket");
}

void RtNetlink::request(void* message, std::uint32_t length, const std::string& what) {
  const std::uint32_t seq = reinterpret_cast<nlmsghdr*>(message)->nlmsg_seq;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (::sendto(fd_.get(), message, length, 0, reinterpret_cast<sockaddr*>(&kernel),
               sizeof kernel) < 0)
    throw_errno(what);
  alignas(nlmsghdr) char reply[8192];
  for (;;) {
    const ssize_t n = ::recv(fd_.get(), reply, sizeof reply, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno(what);
    }
    int left = static_cast<int>(n);
    for (auto* h = reinterpret_cast<nlmsghdr*>(reply); NLMSG_OK(h, left);
         h = NLMSG_NEXT(h, left)) {
      if (h->nlmsg_seq != seq || h->nlmsg_type != NLMSG_ERROR) continue;
      const auto* err = static_cast<const nlmsgerr*>(NLMSG_DATA(h));
      if (err->error != 0) throw_errno(what, -err->error);
      return;
    }
  }
}

void RtNetlink::add_veth_on_bridge(const std::string& name, unsigned bridge_index,
                                   const std::string& peer_name, int peer_netns_fd,
                                   const std::string& peer_mac) {
  Message m(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;  // not up yet: a veth's end cannot open before the pair exists
  m.header(ifi);
  m.attr(IFLA_IFNAME, name);
  m.attr_u32(IFLA_MASTER, bridge_index);
  const std::size_t linkinfo = m.begin_nest(IFLA_LINKINFO);
  m.attr(IFLA_INFO_KIND, std::string("veth"));
  const std::size_t info = m.begin_nest(IFLA_INFO_DATA);
  const std::size_t peer = m.begin_nest(VETH_INFO_PEER);
  m.header(ifi);
  m.attr(IFLA_IFNAME, peer_name);
  m.attr_u32(IFLA_NET_NS_FD, static_cast<std::uint32_t>(peer_netns_fd));
  if (!peer_mac.empty()) {
    unsigned char mac[6];
    unsigned v[6];
    if (std::sscanf(peer_mac.c_str(), "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4],
                    &v[5]) != 6)
      throw Error(Errc::kInvalidArgument, "invalid MAC address " + peer_mac);
    for (int i = 0; i < 6; ++i) mac[i] = static_cast<unsigned char>(v[i]);
    m.attr(IFLA_ADDRESS, mac, sizeof mac);
  }
  m.end_nest(peer);
  m.end_nest(info);
  m.end_nest(linkinfo);
  request(m.data(++seq_), m.size(), "create veth " + name + " (peer " + peer_name + ")");
}

void RtNetlink::set_up(unsigned index) {
  Message m(RTM_NEWLINK, 0);
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  ifi.ifi_index = static_cast<int>(index);
  ifi.ifi_flags = IFF_UP;
  ifi.ifi_change = IFF_UP;
  m.header(ifi);
  request(m.data(++seq_), m.size(), "set link " + std::to_string(index) + " up");
}

void RtNetlink::add_address(unsigned index, const std::string& address, int prefix) {
  Message m(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
  ifaddrmsg ifa{};
  ifa.ifa_family = AF_INET;
  ifa.ifa_prefixlen = static_cast<unsigned char>(prefix);
  ifa.ifa_scope = RT_SCOPE_UNIVERSE;
  ifa.ifa_index = index;
  m.header(ifa);
  m.attr_in4(IFA_LOCAL, address);
  m.attr_in4(IFA_ADDRESS, address);
  in_addr broadcast{};  // as `ip addr add ... brd +` and netavark
  ::inet_pton(AF_INET, address.c_str(), &broadcast);
  if (prefix < 32)
    broadcast.s_addr |= htonl(prefix <= 0 ? 0xffffffffu : (0xffffffffu >> prefix));
  m.attr(IFA_BROADCAST, &broadcast, sizeof broadcast);
  request(m.data(++seq_), m.size(), "add address " + address + "/" + std::to_string(prefix));
}

void RtNetlink::add_default_route(unsigned index, const std::string& gateway) {
  // As netavark: metric 100, and appended, so each network's interface has its default route.
  Message m(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_APPEND);
  rtmsg rt{};
  rt.rtm_family = AF_INET;
  rt.rtm_table = RT_TABLE_MAIN;
  rt.rtm_protocol = RTPROT_BOOT;
  rt.rtm_scope = RT_SCOPE_UNIVERSE;
  rt.rtm_type = RTN_UNICAST;
  m.header(rt);
  m.attr_in4(RTA_GATEWAY, gateway);
  m.attr_u32(RTA_OIF, index);
  m.attr_u32(RTA_PRIORITY, 100);
  request(m.data(++seq_), m.size(), "add default route via " + gateway);
}

}  // namespace dabba::runner
