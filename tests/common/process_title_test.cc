#include "common/process_title.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "common/fs.h"

namespace dabba {
namespace {

// What another process reads: the title exactly, not the arguments, in cmdline and comm.
std::string titled_child(const std::string& title, std::string* comm) {
  int go[2], done[2];
  EXPECT_EQ(::pipe(go), 0);
  EXPECT_EQ(::pipe(done), 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::setenv("DABBA_TITLE_TEST", "still-here", 1);
    set_process_title(title);
    const char* v = std::getenv("DABBA_TITLE_TEST");
    char ok = (v != nullptr && std::string(v) == "still-here") ? 'k' : 'x';
    if (::write(go[1], &ok, 1) != 1) ::_exit(1);
    char c;
    if (::read(done[0], &c, 1) < 0) ::_exit(1);
    ::_exit(0);
  }
  char ok = 0;
  EXPECT_EQ(::read(go[0], &ok, 1), 1);
  EXPECT_EQ(ok, 'k') << "the environment survives";
  std::string cmdline = read_file("/proc/" + std::to_string(pid) + "/cmdline");
  *comm = read_file("/proc/" + std::to_string(pid) + "/comm");
  EXPECT_EQ(::write(done[1], "x", 1), 1);
  int st;
  ::waitpid(pid, &st, 0);
  for (int fd : {go[0], go[1], done[0], done[1]}) ::close(fd);
  return cmdline;
}

TEST(ProcessTitle, ReplacesTheCommandLine) {
  std::string comm;
  EXPECT_EQ(titled_child("dabba-pause", &comm), std::string("dabba-pause") + '\0');
  EXPECT_EQ(comm, "dabba-pause\n");
  // Longer than the test binary's arguments: it spills into the environment's area.
  std::string longer = "dabba-supervise " + std::string(200, 'f');
  EXPECT_EQ(titled_child(longer, &comm), longer + '\0');
  EXPECT_EQ(comm, "dabba-supervise\n");
  // Longer than argv and the environment together: a buffer of its own (PR_SET_MM_MAP).
  std::string huge = "dabba-supervise " + std::string(64 * 1024, 'e');
  EXPECT_EQ(titled_child(huge, &comm), huge + '\0');
}

}  // namespace
}  // namespace dabba
