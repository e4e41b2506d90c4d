#include "common/child_process.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>

#include "common/error.h"
#include "common/unique_fd.h"

namespace dabba {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// A child that runs until killed (SIGTERM ignored when asked) or until hang_up's write end is
// closed (by the parent: the child closes its copy).
ChildProcess start_child(bool ignore_term = false, Pipe* hang_up = nullptr) {
  pid_t pid = ::fork();
  if (pid < 0) ADD_FAILURE() << "fork";
  if (pid == 0) {
    if (ignore_term) ::signal(SIGTERM, SIG_IGN);
    if (hang_up != nullptr) {
      hang_up->write.reset();
      char byte;
      while (::read(hang_up->read.get(), &byte, 1) != 0) {
      }
      ::_exit(7);
    }
    for (;;) ::pause();
  }
  return ChildProcess(pid);
}

// True when pid is no child of ours any more (reaped).
bool reaped(pid_t pid) {
  int st;
  return ::waitpid(pid, &st, WNOHANG) < 0 && errno == ECHILD;
}

TEST(ChildProcess, DestructorKillsAndReaps) {
  pid_t pid;
  {
    ChildProcess child = start_child();
    pid = child.pid();
    EXPECT_TRUE(child.running());
  }
  EXPECT_TRUE(reaped(pid));
}

TEST(ChildProcess, WaitWithTimeout) {
  ChildProcess child = start_child();
  auto t0 = Clock::now();
  EXPECT_FALSE(child.wait(milliseconds(50)));
  EXPECT_GE(Clock::now() - t0, milliseconds(45));
  EXPECT_FALSE(child.wait(milliseconds(0)));
  child.signal(SIGTERM);
  std::optional<ExitStatus> st = child.wait(milliseconds(5000));
  ASSERT_TRUE(st);
  EXPECT_EQ(st->signal(), SIGTERM);
  EXPECT_EQ(st->code(), 128 + SIGTERM);
  EXPECT_FALSE(child.running());
  // Reaped once; the status stays.
  EXPECT_EQ(child.wait().raw, st->raw);
  EXPECT_TRUE(reaped(child.pid()));
  child.signal(SIGKILL);  // a no-op now
}

TEST(ChildProcess, StopSignalsThenKillsAfterGrace) {
  ChildProcess polite = start_child();
  EXPECT_EQ(polite.stop(SIGTERM, milliseconds(5000)).signal(), SIGTERM);

  ChildProcess stubborn = start_child(/*ignore_term=*/true);
  ::usleep(20000);  // let it install SIG_IGN
  auto t0 = Clock::now();
  ExitStatus st = stubborn.stop(SIGTERM, milliseconds(100));
  EXPECT_EQ(st.signal(), SIGKILL);
  EXPECT_GE(Clock::now() - t0, milliseconds(95));
  EXPECT_TRUE(reaped(stubborn.pid()));
  // Again: the same status, nothing sent.
  EXPECT_EQ(stubborn.stop(SIGTERM, milliseconds(100)).raw, st.raw);
}

TEST(ChildProcess, StopWithoutSignalWaitsForAHangUp) {
  Pipe pipe = Pipe::make();
  ChildProcess child = start_child(false, &pipe);
  pipe.write.reset();  // what the port relay and slirp4netns exit on
  ExitStatus st = child.stop(0, milliseconds(5000));
  EXPECT_TRUE(st.exited());
  EXPECT_EQ(st.code(), 7);
}

TEST(ChildProcess, MoveAssignmentEndsTheOldChild) {
  ChildProcess a = start_child();
  pid_t first = a.pid();
  a = start_child();
  EXPECT_TRUE(reaped(first));
  ChildProcess b(std::move(a));
  EXPECT_FALSE(a.running());
  EXPECT_TRUE(b.running());
}

TEST(ChildProcess, ReleasedChildIsLeftAlone) {
  pid_t pid;
  {
    ChildProcess child = start_child();
    pid = child.release();
    EXPECT_FALSE(child.running());
  }
  EXPECT_EQ(::kill(pid, 0), 0);  // still running
  ChildProcess again(pid);
  EXPECT_EQ(again.stop(SIGKILL, milliseconds(0)).signal(), SIGKILL);
}

TEST(ChildProcess, EmptyOneCannotBeWaitedFor) {
  ChildProcess none;
  EXPECT_FALSE(none.running());
  EXPECT_THROW(none.wait(), Error);
  none.signal(SIGKILL);
}

TEST(Pidfd, SignalAndWaitAnyProcess) {
  ChildProcess child = start_child();
  UniqueFd pidfd = open_pidfd(child.pid());
  ASSERT_TRUE(pidfd.valid());
  EXPECT_FALSE(wait_pidfd(pidfd.get(), milliseconds(10)));
  EXPECT_TRUE(signal_pidfd(pidfd.get(), SIGKILL));
  EXPECT_TRUE(wait_pidfd(pidfd.get(), milliseconds(5000)));
  child.wait();
  EXPECT_FALSE(signal_pidfd(pidfd.get(), SIGKILL));  // gone: ESRCH
}

}  // namespace
}  // namespace dabba
