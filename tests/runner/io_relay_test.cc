// The stdio copier without a container: pipes stand in for the container's side and the caller's.
#include "runner/io_relay.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <string>

#include "common/fs.h"

namespace dabba::runner {
namespace {

// Runs the relay until the container's output pipes are at EOF (bounded).
void pump(IoRelay& relay, int rounds = 200) {
  for (int i = 0; i < rounds; ++i) {
    std::vector<pollfd> fds;
    size_t first = relay.add(fds);
    if (fds.empty()) return;
    ASSERT_GE(::poll(fds.data(), fds.size(), 1000), 0);
    relay.handle(fds, first);
  }
}

std::string read_nonblocking(int fd) {
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

TEST(IoRelay, CopiesEachStreamToItsSinkAndTheLog) {
  StdioPipes pipes = StdioPipes::make(true);
  ChildStdio child = pipes.child();
  // The container's side: output written, stdin to be read.
  int in_read = ::dup(child.in), out_write = ::dup(child.out), err_write = ::dup(child.err);
  pipes.close_child_ends();
  Pipe caller_in = Pipe::make(), caller_out = Pipe::make(), caller_err = Pipe::make();
  write_all(caller_in.write.get(), "typed\n");
  caller_in.write.reset();
  write_all(out_write, "one\ntw");
  write_all(err_write, "oops\n");
  write_all(out_write, "o\n");
  ::close(out_write);
  ::close(err_write);

  std::string log_path = ::testing::TempDir() + "/io_relay.log";
  ::unlink(log_path.c_str());
  LogWriter log(open_file(log_path, O_WRONLY | O_CREAT | O_APPEND));
  IoSinks sinks;
  sinks.in = caller_in.read.get();
  sinks.out = caller_out.write.get();
  sinks.err = caller_err.write.get();
  sinks.log = &log;
  IoRelay relay(pipes.take_ends(), sinks);
  pump(relay);
  relay.drain();

  EXPECT_EQ(read_nonblocking(caller_out.read.get()), "one\ntwo\n");
  EXPECT_EQ(read_nonblocking(caller_err.read.get()), "oops\n");
  // The caller's stdin reached the container, then EOF.
  EXPECT_EQ(read_all(in_read), "typed\n");
  ::close(in_read);
  std::string records = read_file(log_path);
  EXPECT_NE(records.find(" stdout F one\n"), std::string::npos) << records;
  EXPECT_NE(records.find(" stderr F oops\n"), std::string::npos) << records;
  // "two" came in two writes: a partial record, then the rest.
  EXPECT_TRUE(records.find(" stdout P tw\n") != std::string::npos ||
              records.find(" stdout F two\n") != std::string::npos)
      << records;
}

TEST(IoRelay, AClosedCallerOutputReachesTheContainerAsEpipe) {
  struct sigaction ignore = {}, old = {};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ignore, &old);
  StdioPipes pipes = StdioPipes::make(false);
  int out_write = ::dup(pipes.child().out);
  pipes.close_child_ends();
  Pipe caller_out = Pipe::make();
  caller_out.read.reset();  // `| head -1` has gone
  IoSinks sinks;
  sinks.out = caller_out.write.get();
  IoRelay relay(pipes.take_ends(), sinks);
  write_all(out_write, "y\n");
  pump(relay, 5);
  EXPECT_TRUE(relay.output_lost());
  EXPECT_EQ(::write(out_write, "y\n", 2), -1);
  EXPECT_EQ(errno, EPIPE);
  ::close(out_write);
  ::sigaction(SIGPIPE, &old, nullptr);
}

}  // namespace
}  // namespace dabba::runner
