#include "common/proc_stat.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

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

// A PID namespace's init, once killed, stays (state S, its start time unchanged) until every
// other process of its namespace is reaped: here an orphan's zombie whose parent, outside the
// namespace, does not reap it yet (as a host init that reaps late). It is exiting: not alive.
TEST(ProcStat, ExitingNamespaceInitIsNotAlive) {
  Pipe report = Pipe::make();
  Pipe go = Pipe::make();
  pid_t helper = ::fork();
  ASSERT_GE(helper, 0);
  if (helper == 0) {
    pid_t pids[2] = {0, 0};
    if (::unshare(CLONE_NEWUSER | CLONE_NEWPID) == 0) {
      pids[0] = ::fork();  // PID 1 of the new namespace
      if (pids[0] == 0) {
        for (;;) ::pause();
      }
      pids[1] = ::fork();  // in the namespace too, our child: a zombie until we reap it
      if (pids[1] == 0) ::_exit(0);
    }
    if (::write(report.write.get(), pids, sizeof pids) != sizeof pids) ::_exit(1);
    char byte;
    if (pids[0] > 0 && ::read(go.read.get(), &byte, 1) == 1) {
      ::waitpid(pids[1], nullptr, 0);
      ::waitpid(pids[0], nullptr, 0);
    }
    ::_exit(0);
  }
  report.write.reset();
  pid_t pids[2];
  ASSERT_EQ(::read(report.read.get(), pids, sizeof pids), static_cast<ssize_t>(sizeof pids));
  if (pids[0] <= 0) {
    ::waitpid(helper, nullptr, 0);
    GTEST_SKIP() << "no user and PID namespace can be made here";
  }
  const pid_t init = pids[0];
  EXPECT_NE(process_start_time(init), 0u);
  ASSERT_EQ(::kill(init, SIGKILL), 0);
  std::optional<ProcStat> st;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while ((st = read_proc_stat(init)) && (st->flags & ProcStat::kExiting) == 0 &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_TRUE(st) << "the init was reaped while a zombie of its namespace was not";
  EXPECT_NE(st->state, 'Z');
  EXPECT_TRUE(st->exited());
  EXPECT_EQ(process_start_time(init), 0u);
  ASSERT_EQ(::write(go.write.get(), "x", 1), 1);
  ASSERT_EQ(::waitpid(helper, nullptr, 0), helper);
}

}  // namespace
}  // namespace dabba
