#include "common/error.h"

#include <fcntl.h>
#include <gtest/gtest.h>

namespace dabba {
namespace {

TEST(Error, SyscallMacroNamesTheCallTheContextAndErrno) {
  try {
    DABBA_SYSCALL(::open("/nonexistent/dabba", O_RDONLY), "/nonexistent/dabba");
    FAIL() << "open should have failed";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::kNotFound);
    EXPECT_EQ(e.sys_errno(), ENOENT);
    std::string what = e.what();
    EXPECT_NE(what.find("open(\"/nonexistent/dabba\", O_RDONLY)"), std::string::npos) << what;
    EXPECT_NE(what.find("(/nonexistent/dabba)"), std::string::npos) << what;
    EXPECT_NE(what.find("No such file or directory"), std::string::npos) << what;
  }
}

TEST(Error, ContextChainsOutermostFirst) {
  try {
    with_context("pull alpine", [] {
      with_context("layer sha256:ab", [] { throw Error(Errc::kCorrupt, "bad tar"); });
    });
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "pull alpine: layer sha256:ab: bad tar");
    EXPECT_EQ(e.code(), Errc::kCorrupt);
  }
}

}  // namespace
}  // namespace dabba
