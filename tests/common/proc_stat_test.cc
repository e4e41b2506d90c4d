#include "common/proc_stat.h"

#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/unique_fd.h"
#include "tests/support/zombie_child.h"

namespace dabba {
namespace {

TEST(ProcStat, ReadsThisProcess) {
  std::optional<ProcStat> me = read_proc_stat(::getpid());
  ASSERT_TRUE(me);
  EXPECT_EQ(me->state, 'R');
  EXPECT_EQ(me->ppid, ::getppid());
  EXPECT_NE(me->start_time, 0u);
  EXPECT_EQ(process_start_time(::getpid()), me->start_time);
}

TEST(ProcStat, GoneProcess) {
  EXPECT_FALSE(read_proc_stat(0));
  EXPECT_FALSE(read_proc_stat(-1));
  EXPECT_EQ(process_start_time(0), 0u);
}

// The command name may hold spaces and parentheses: fields are counted after the last ')'.
TEST(ProcStat, OddCommandName) {
  Pipe ready = Pipe::make();
  Pipe go = Pipe::make();
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::prctl(PR_SET_NAME, ") x (y) 1 2", 0, 0, 0);
    char byte = 'r';
    if (::write(ready.write.get(), &byte, 1) != 1) ::_exit(1);
    ::_exit(::read(go.read.get(), &byte, 1) == 1 ? 0 : 1);
  }
  char byte;
  ASSERT_EQ(::read(ready.read.get(), &byte, 1), 1);
  std::optional<ProcStat> st = read_proc_stat(child);
  ASSERT_TRUE(st);
  EXPECT_EQ(st->ppid, ::getpid());
  EXPECT_NE(st->start_time, 0u);
  ASSERT_EQ(::write(go.write.get(), "x", 1), 1);
  ASSERT_EQ(::waitpid(child, nullptr, 0), child);
}

// The one rule: a zombie is not alive. Its stat is still there (state Z), its start time reads 0.
TEST(ProcStat, ZombieIsNotAlive) {
  testing::ZombieChild child;
  uint64_t started = process_start_time(child.pid());
  EXPECT_NE(started, 0u);
  child.exit_unreaped();
  std::optional<ProcStat> zombie = read_proc_stat(child.pid());
  ASSERT_TRUE(zombie);
  EXPECT_EQ(zombie->state, 'Z');
  EXPECT_TRUE(zombie->exited());
  EXPECT_EQ(zombie->start_time, started);
  EXPECT_EQ(process_start_time(child.pid()), 0u);
  child.reap();
  EXPECT_FALSE(read_proc_stat(child.pid()));
  EXPECT_EQ(process_start_time(child.pid()), 0u);
}

}  // namespace
}  // namespace dabba
