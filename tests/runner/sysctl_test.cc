#include "runner/sysctl.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace dabba::runner {
namespace {

std::string error_of(const std::string& text, NetworkMode network = NetworkMode::kSlirp4netns) {
  try {
    check_sysctl_network(parse_sysctl(text), network);
  } catch (const Error& e) {
    return e.what();
  }
  return "<no error>";
}

TEST(Sysctl, NamespacedOnesAsPodman) {
  EXPECT_EQ(parse_sysctl("kernel.shmmax=12345"), (Sysctl{"kernel.shmmax", "12345"}));
  EXPECT_EQ(parse_sysctl("net/ipv4/ip_forward=1"), (Sysctl{"net.ipv4.ip_forward", "1"}));
  EXPECT_EQ(parse_sysctl("kernel.sem=250 32000 32 128"),
            (Sysctl{"kernel.sem", "250 32000 32 128"}));
  EXPECT_EQ(parse_sysctl("fs.mqueue.msg_max=20").first, "fs.mqueue.msg_max");
  EXPECT_EQ(parse_sysctl("net.ipv4.ping_group_range=0 0").second, "0 0");
  EXPECT_EQ(sysctl_path("net.ipv4.conf.all.forwarding"), "/proc/sys/net/ipv4/conf/all/forwarding");
}

TEST(Sysctl, RefusedWithPodmansWords) {
  EXPECT_EQ(error_of("vm.swappiness=1"), "sysctl 'vm.swappiness' is not allowed");
  EXPECT_EQ(error_of("kernel.domainname=x"), "sysctl 'kernel.domainname' is not allowed");
  EXPECT_EQ(error_of("kernel.shmmax"),
            "kernel.shmmax is invalid, sysctl values must be in the form of KEY=VALUE");
  EXPECT_EQ(error_of("net.ipv4.ip_forward=1", NetworkMode::kHost),
            "sysctl net.ipv4.ip_forward=1 can't be set since Network Namespace set to host: "
            "invalid argument");
  EXPECT_EQ(error_of("net.ipv4.ip_forward=1", NetworkMode::kContainer),
            "sysctl net.ipv4.ip_forward=1 can't be set since Network Namespace set to container: "
            "invalid argument");
  EXPECT_EQ(error_of("net.ipv4.ip_forward=1", NetworkMode::kNone), "<no error>");
  EXPECT_EQ(error_of("kernel.shmmax=1", NetworkMode::kHost), "<no error>");
  // Nothing may leave /proc/sys.
  for (const char* bad : {"net.ipv4..x=1", "net.../../etc=1", "net.=1", "fs.mqueue.a b=1", "=1"})
    EXPECT_NE(error_of(bad), "<no error>") << bad;
}

}  // namespace
}  // namespace dabba::runner
