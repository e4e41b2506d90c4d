#include "runner/state.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/zombie_child.h"

namespace dabba::runner {
namespace {

ContainerState running(pid_t pid) {
  ContainerState s;
  s.status = ContainerStatus::kRunning;
  s.pid = pid;
  s.pid_start_time = process_start_time(pid);
  return s;
}

TEST(State, FormatParseRoundTrip) {
  ContainerState s = running(::getpid());
  s.supervisor_pid = 42;
  s.cgroups = {"/sys/fs/cgroup/pids/a", "/sys/fs/cgroup/memory/a"};
  s.error = "two\nlines";
  s.restart_count = 7;
  ContainerState back = parse_state(format_state(s));
  EXPECT_EQ(back.restart_count, 7u);
  EXPECT_EQ(back.cgroups, s.cgroups);
  EXPECT_EQ(back.error, "two lines");
  EXPECT_EQ(back.pid_start_time, s.pid_start_time);
}

TEST(Alive, TheLiveProcessWithItsStartTime) {
  ContainerState s = running(::getpid());
  EXPECT_NE(s.pid_start_time, 0u);
  EXPECT_TRUE(alive(s));
  s.pid_start_time += 1;  // a recycled pid
  EXPECT_FALSE(alive(s));
  s = running(::getpid());
  s.status = ContainerStatus::kExited;
  EXPECT_FALSE(alive(s));
}

// A container whose PID 1 exited but is not reaped yet (its supervisor was SIGKILLed and the
// host's init reaps late) is not running: ps must not list it, rm must not refuse it.
TEST(Alive, NotAZombie) {
  testing::ZombieChild child;
  ContainerState s = running(child.pid());
  ASSERT_NE(s.pid_start_time, 0u);
  EXPECT_TRUE(alive(s));
  child.exit_unreaped();
  EXPECT_FALSE(alive(s));
  child.reap();
  EXPECT_FALSE(alive(s));
}

}  // namespace
}  // namespace dabba::runner
