#include "runner/rlimits.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <algorithm>

#include "common/error.h"

namespace dabba::runner {
namespace {

std::string error_of(const std::string& text) {
  try {
    parse_ulimit(text);
  } catch (const Error& e) {
    return e.what();
  }
  return "<no error>";
}

TEST(Ulimit, SoftAndHardAsPodman) {
  EXPECT_EQ(parse_ulimit("nofile=100:200"), (UlimitSpec{"nofile", 100, 200}));
  EXPECT_EQ(parse_ulimit("nofile=100"), (UlimitSpec{"nofile", 100, 100}));
  EXPECT_EQ(parse_ulimit("core=-1"), (UlimitSpec{"core", kUnlimited, kUnlimited}));
  EXPECT_EQ(parse_ulimit("stack=8192:unlimited"), (UlimitSpec{"stack", 8192, kUnlimited}));
  for (const char* name :
       {"as", "core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile",
        "nproc", "rss", "rtprio", "rttime", "sigpending", "stack"})
    EXPECT_GE(rlimit_resource(parse_ulimit(std::string(name) + "=1").name), 0) << name;
  EXPECT_EQ(rlimit_resource("nofile"), RLIMIT_NOFILE);
}

TEST(Ulimit, PodmansErrors) {
  EXPECT_EQ(error_of("bogus=1"),
            "ulimit option \"bogus=1\" requires name=SOFT:HARD, failed to be parsed: invalid "
            "ulimit type: bogus");
  EXPECT_EQ(error_of("nofile"),
            "ulimit option \"nofile\" requires name=SOFT:HARD, failed to be parsed: invalid "
            "ulimit argument: nofile");
  EXPECT_NE(error_of("nofile=300:200")
                .find("soft limit must be less than or equal to hard "
                      "limit: 300 > 200"),
            std::string::npos);
  EXPECT_NE(error_of("nofile=a").find("invalid value \"a\""), std::string::npos);
  EXPECT_NE(error_of("nofile=-2").find("invalid value"), std::string::npos);
  EXPECT_NE(error_of("nofile=1:2:3").find("too many limit value arguments"), std::string::npos);
  EXPECT_NE(error_of("nofile=").find("invalid value"), std::string::npos);
}

TEST(Ulimit, PodmansDefaultsUnlessGivenOrHost) {
  struct rlimit nofile;
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &nofile), 0);
  const uint64_t raised = std::min<uint64_t>(nofile.rlim_max, 1048576);
  std::vector<UlimitSpec> d = container_rlimits({}, false);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0], (UlimitSpec{"nofile", raised, raised}));
  EXPECT_EQ(d[1].name, "nproc");
  // Given ones win, the last of a name counts; host: only what was given.
  std::vector<UlimitSpec> g =
      container_rlimits({{"nofile", 1, 2}, {"core", 0, 0}, {"nofile", 3, 4}}, false);
  ASSERT_EQ(g.size(), 3u);
  EXPECT_EQ(g[0], (UlimitSpec{"nofile", 3, 4}));
  EXPECT_EQ(g[1], (UlimitSpec{"core", 0, 0}));
  EXPECT_EQ(g[2].name, "nproc");
  EXPECT_TRUE(container_rlimits({}, true).empty());
}

}  // namespace
}  // namespace dabba::runner
