#include "common/fs.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "common/child_process.h"
#include "common/dir_stream.h"
#include "common/error.h"

namespace dabba {
namespace {

std::vector<std::string> names_in(const std::string& dir) {
  std::vector<std::string> out;
  DirStream d = DirStream::open(dir);
  while (const struct dirent* e = d.next()) out.push_back(e->d_name);
  return out;
}

TEST(WriteFileAtomic, WritesAndReplaces) {
  TempDir dir("/tmp", "dabba-fs-test-");
  std::string path = dir.path() + "/f";
  write_file_atomic(path, "one", Sync::kDurable, 0600);
  EXPECT_EQ(read_file(path), "one");
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  write_file_atomic(path, "two", Sync::kNone);
  EXPECT_EQ(read_file(path), "two");
  EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"f"});
}

// A rename that fails (the target is a non-empty directory) leaves no temp file behind.
TEST(WriteFileAtomic, FailedRenameLeavesNoTempFile) {
  TempDir dir("/tmp", "dabba-fs-test-");
  make_dirs(dir.path() + "/f/sub");
  try {
    write_file_atomic(dir.path() + "/f", "data", Sync::kNone);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("write " + dir.path() + "/f"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"f"});
}

// A write that fails half-way (here: over the file size limit, as a full disk would) leaves no
// temp file behind, and the old file as it was. In a child: the limit is per process.
TEST(WriteFileAtomic, FailedWriteLeavesNoTempFile) {
  TempDir dir("/tmp", "dabba-fs-test-");
  std::string path = dir.path() + "/state";
  write_file_atomic(path, "old", Sync::kNone);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::signal(SIGXFSZ, SIG_IGN);  // EFBIG instead of death
    struct rlimit limit = {4096, 4096};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    try {
      write_file_atomic(path, std::string(64 * 1024, 'x'), Sync::kNone);
    } catch (const Error&) {
      ::_exit(0);
    }
    ::_exit(1);
  }
  ExitStatus st = ChildProcess(pid).wait();
  EXPECT_TRUE(st.exited() && st.code() == 0) << "the write did not fail: " << st.describe();
  EXPECT_EQ(read_file(path), "old");
  EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"state"});
}

TEST(DirStream, ListsAllButDotsAndClosesItself) {
  TempDir dir("/tmp", "dabba-fs-test-");
  write_file_atomic(dir.path() + "/a", "", Sync::kNone);
  make_dirs(dir.path() + "/b");
  std::vector<std::string> names = names_in(dir.path());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(list_dir(dir.path()).size(), 2u);
  EXPECT_TRUE(list_dir(dir.path() + "/missing").empty());
  EXPECT_THROW(DirStream::open(dir.path() + "/missing"), Error);
}

}  // namespace
}  // namespace dabba
