#include "common/error.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

namespace dabba {
namespace {

TEST(Error, SyscallMacroNamesTheContextAndErrnoNeverTheSource) {
  try {
    DABBA_SYSCALL(::open("/nonexistent/dabba", O_RDONLY), "/nonexistent/dabba");
    FAIL() << "open should have failed";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::kNotFound);
    EXPECT_EQ(e.sys_errno(), ENOENT);
    EXPECT_STREQ(e.what(), "/nonexistent/dabba: No such file or directory");
  }
}

TEST(Error, SyscallMacroWithoutContextNamesTheCall) {
  try {
    int fd = -1;
    DABBA_SYSCALL(::write(fd, "x", 1));
    FAIL() << "write should have failed";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "write: Bad file descriptor");
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
