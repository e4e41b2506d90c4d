// explain_no_space: ENOSPC and EDQUOT say where, what is free and what was needed; nothing else
// changes, and nothing is explained twice.
#include "common/no_space.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>

namespace dabba {
namespace {

TEST(NoSpace, AFullFilesystemIsNamedWithWhatIsFreeAndTheFix) {
  Error e(Errc::kFailed, "append to the ingest file: write", ENOSPC);
  Error x = explain_no_space(e, "/tmp", "the layer is 2 MB compressed");
  const std::string what = x.what();
  EXPECT_NE(what.find("write: No space left on device (the filesystem of /tmp is full: "),
            std::string::npos)
      << what;
  EXPECT_NE(what.find(" free there; the layer is 2 MB compressed)"), std::string::npos) << what;
  EXPECT_EQ(x.sys_errno(), ENOSPC) << "callers still tell a full disk";
  EXPECT_NE(x.hint().find("--root"), std::string::npos);
  EXPECT_EQ(std::string(explain_no_space(x, "/tmp").what()), what) << "explained once";
}

TEST(NoSpace, AQuotaSaysQuota) {
  Error x = explain_no_space(Error(Errc::kFailed, "mkdir /s/v", EDQUOT), "/s");
  EXPECT_NE(std::string(x.what()).find("(the disk quota for /s is used up"), std::string::npos)
      << x.what();
  EXPECT_NE(x.hint().find("quota"), std::string::npos);
}

TEST(NoSpace, OtherErrorsPassUnchanged) {
  Error e(Errc::kPermission, "open /x", EACCES);
  EXPECT_STREQ(explain_no_space(e, "/tmp").what(), e.what());
  EXPECT_THROW(with_space_explained("/tmp", "", [] { throw Error(Errc::kFailed, "x", EIO); }),
               Error);
  try {
    with_space_explained("/tmp", "", [] { throw Error(Errc::kFailed, "w", ENOSPC); });
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("is full"), std::string::npos);
  }
}

// Where a 1 MiB write fits, an EIO was no want of space; the probe leaves nothing behind. (A real
// quota: tests/integration/store_filesystems.sh.)
TEST(NoSpace, AnEioWhereThereIsRoomStaysEio) {
  char dir[] = "/tmp/dabba-no-space-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  if (nearly_full(dir)) GTEST_SKIP() << "/tmp is nearly full here";
  EXPECT_EQ(space_errno_behind_eio(dir), EIO);
  EXPECT_EQ(::rmdir(dir), 0) << "the probe left a file";
}

}  // namespace
}  // namespace dabba
