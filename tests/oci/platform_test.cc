#include "oci/platform.h"

#include <gtest/gtest.h>
#include <sys/utsname.h>

#include "common/error.h"

namespace dabba {
namespace {

TEST(Platform, Parse) {
  Platform p = Platform::parse("linux/arm/v7");
  EXPECT_EQ(p.os, "linux");
  EXPECT_EQ(p.architecture, "arm");
  EXPECT_EQ(p.variant, "v7");
  EXPECT_EQ(p.str(), "linux/arm/v7");
  EXPECT_EQ(Platform::parse("Linux/AMD64").str(), "linux/amd64");
  for (const char* bad : {"", "linux", "linux/", "/amd64", "linux//v7", "linux/arm/v7/x",
                          "linux/arm/", "linux/a md64"}) {
    try {
      Platform::parse(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::kInvalidArgument);
      EXPECT_NE(e.hint().find("os/architecture"), std::string::npos);
    }
  }
}

TEST(Platform, Normalisation) {
  EXPECT_EQ(Platform::parse("linux/x86_64").normalized().str(), "linux/amd64");
  EXPECT_EQ(Platform::parse("linux/aarch64").normalized().str(), "linux/arm64/v8");
  EXPECT_EQ(Platform::parse("linux/arm64").normalized().str(), "linux/arm64/v8");
  EXPECT_EQ(Platform::parse("linux/armhf").normalized().str(), "linux/arm/v7");
  EXPECT_EQ(Platform::parse("linux/armel").normalized().str(), "linux/arm/v6");
  EXPECT_EQ(Platform::parse("linux/arm").normalized().str(), "linux/arm/v7");
  EXPECT_EQ(Platform::parse("linux/arm/7").normalized().str(), "linux/arm/v7");
  EXPECT_EQ(Platform::parse("linux/i686").normalized().str(), "linux/386");
  EXPECT_EQ(Platform::parse("linux/amd64/v1").normalized().str(), "linux/amd64");
}

TEST(Platform, HostIsNormalised) {
  struct utsname u {};
  ::uname(&u);
  Platform host = Platform::host();
  EXPECT_EQ(host.os, "linux");
  std::string machine = u.machine;
  if (machine == "x86_64") {
    EXPECT_EQ(host.str(), "linux/amd64");
  } else if (machine == "aarch64") {
    EXPECT_EQ(host.str(), "linux/arm64/v8");
  } else if (machine == "armv7l") {
    EXPECT_EQ(host.str(), "linux/arm/v7");
  }
  EXPECT_EQ(host, host.normalized());
}

TEST(Platform, MatchRanks) {
  auto rank = [](const char* candidate, const char* wanted) {
    return platform_match_rank(Platform::parse(candidate), Platform::parse(wanted));
  };
  EXPECT_EQ(rank("linux/amd64", "linux/amd64"), 0);
  EXPECT_EQ(rank("linux/amd64", "linux/x86_64"), 0);
  EXPECT_EQ(rank("linux/amd64/v2", "linux/amd64"), -1);  // the host may lack v2's instructions
  EXPECT_EQ(rank("linux/amd64", "linux/amd64/v3"), 2);
  EXPECT_EQ(rank("linux/amd64/v2", "linux/amd64/v3"), 1);
  EXPECT_EQ(rank("linux/arm64", "linux/arm64/v8"), 0);
  EXPECT_EQ(rank("linux/arm64/v8", "linux/aarch64"), 0);
  EXPECT_EQ(rank("linux/arm/v7", "linux/arm/v7"), 0);
  EXPECT_EQ(rank("linux/arm/v6", "linux/arm/v7"), 1);
  EXPECT_EQ(rank("linux/arm/v5", "linux/arm/v7"), 2);
  EXPECT_EQ(rank("linux/arm/v7", "linux/arm/v6"), -1);
  EXPECT_EQ(rank("linux/arm", "linux/arm/v6"), -1);  // "arm" means v7
  EXPECT_EQ(rank("linux/arm64", "linux/arm/v7"), -1);
  EXPECT_EQ(rank("windows/amd64", "linux/amd64"), -1);
  EXPECT_EQ(rank("linux/riscv64", "linux/riscv64"), 0);
  EXPECT_EQ(rank("linux/ppc64le/power9", "linux/ppc64le"), -1);
}

}  // namespace
}  // namespace dabba
