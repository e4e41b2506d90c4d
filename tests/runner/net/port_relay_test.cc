// The port relay (port_relay.h) against real sockets. The "container" is this process's own network
// namespace: the relay setns()es into it and connects to 127.0.0.1, where the test listens.
// Entering a network namespace takes CAP_SYS_ADMIN over it: as another user these tests skip.
#include "runner/net/port_relay.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "common/fs.h"
#include "common/unique_fd.h"
#include "runner/net/port_publish.h"

namespace dabba::runner {
namespace {

uint16_t port_of(int fd) {
  struct sockaddr_in a;
  socklen_t len = sizeof a;
  EXPECT_EQ(::getsockname(fd, reinterpret_cast<struct sockaddr*>(&a), &len), 0);
  return ntohs(a.sin_port);
}

void set_timeout(int fd, int seconds) {
  struct timeval tv = {seconds, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

// A "container" server on 127.0.0.1 (any port).
UniqueFd listen_local() {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  struct sockaddr_in a = {};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(fd.get(), reinterpret_cast<struct sockaddr*>(&a), sizeof a), 0);
  EXPECT_EQ(::listen(fd.get(), 128), 0);
  set_timeout(fd.get(), 10);
  return fd;
}

UniqueFd connect_local(uint16_t port) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  struct sockaddr_in a = {};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  EXPECT_EQ(::connect(fd.get(), reinterpret_cast<struct sockaddr*>(&a), sizeof a), 0);
  set_timeout(fd.get(), 10);
  return fd;
}

UniqueFd accept_one(int listener) {
  UniqueFd fd(::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC));
  EXPECT_TRUE(fd.valid()) << std::strerror(errno);
  set_timeout(fd.get(), 10);
  return fd;
}

// Reads until EOF; "error: ..." on a failure or timeout.
std::string read_to_eof(int fd) {
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n == 0) return out;
    if (n < 0) return "error: " + std::string(std::strerror(errno));
    out.append(buf, static_cast<size_t>(n));
  }
}

class PortRelayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "entering a network namespace needs root";
  }
  // A relay from a free host port on 127.0.0.1 to container_port on 127.0.0.1.
  uint16_t start(uint16_t container_port) {
    std::vector<PortMapping> ports =
        reserve_host_ports({PortMapping{"127.0.0.1", 0, container_port, PortProtocol::kTcp}});
    relay_.emplace(PortRelay::start(::getpid(), ports, "127.0.0.1", dir_.path() + "/relay.log"));
    return ports[0].host_port;
  }
  TempDir dir_{"/tmp", "port-relay-test."};
  std::optional<PortRelay> relay_;
};

TEST_F(PortRelayTest, HalfCloseBothWays) {
  UniqueFd server = listen_local();
  uint16_t host_port = start(port_of(server.get()));
  UniqueFd client = connect_local(host_port);
  UniqueFd conn = accept_one(server.get());
  ASSERT_EQ(::send(client.get(), "question", 8, 0), 8);
  ASSERT_EQ(::shutdown(client.get(), SHUT_WR), 0);
  EXPECT_EQ(read_to_eof(conn.get()), "question");    // the client's EOF reached the container
  ASSERT_EQ(::send(conn.get(), "answer", 6, 0), 6);  // ... which still answers
  conn.reset();
  EXPECT_EQ(read_to_eof(client.get()), "answer");
}

TEST_F(PortRelayTest, NothingListeningResetsTheClient) {
  uint16_t closed_port;
  {
    UniqueFd gone = listen_local();
    closed_port = port_of(gone.get());
  }
  uint16_t host_port = start(closed_port);
  UniqueFd client(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  set_timeout(client.get(), 10);
  struct sockaddr_in a = {};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(host_port);
  // The host's kernel accepts it; then the relay's connect is refused, and the client is reset
  // (before its connect returns, even).
  ssize_t n = ::connect(client.get(), reinterpret_cast<struct sockaddr*>(&a), sizeof a);
  if (n == 0) {
    char c;
    n = ::recv(client.get(), &c, 1, 0);
  }
  int err = errno;
  EXPECT_TRUE(n == 0 || (n < 0 && err == ECONNRESET)) << n << " " << std::strerror(err);
}

TEST_F(PortRelayTest, BackpressureAndByteExact) {
  UniqueFd server = listen_local();
  uint16_t host_port = start(port_of(server.get()));
  UniqueFd client = connect_local(host_port);
  UniqueFd conn = accept_one(server.get());
  // The container does not read: the client must soon be blocked, not the relay's memory filled.
  // Byte k of the stream is pattern[k % size] (a prime size, so a slip shows).
  std::string pattern(65521, '\0');
  for (size_t i = 0; i < pattern.size(); ++i) pattern[i] = static_cast<char>(i * 7 + i / 251);
  size_t sent = 0;
  for (bool retried = false;;) {
    size_t at = sent % pattern.size();
    ssize_t n = ::send(client.get(), pattern.data() + at, pattern.size() - at, MSG_DONTWAIT);
    if (n < 0) {
      ASSERT_TRUE(errno == EAGAIN || errno == EWOULDBLOCK) << std::strerror(errno);
      if (retried) break;
      retried = true;
      ::usleep(300 * 1000);  // let the relay move what it can, then try once more
      continue;
    }
    retried = false;
    sent += static_cast<size_t>(n);
    ASSERT_LT(sent, size_t{256} << 20) << "the relay buffers without bound";
  }
  ASSERT_EQ(::shutdown(client.get(), SHUT_WR), 0);
  std::string got = read_to_eof(conn.get());
  ASSERT_EQ(got.size(), sent) << got.substr(0, 100);
  for (size_t k = 0; k < got.size(); ++k)
    ASSERT_EQ(got[k], pattern[k % pattern.size()]) << "byte " << k;
}

TEST_F(PortRelayTest, ManyConnectionsAtOnce) {
  UniqueFd server = listen_local();
  uint16_t host_port = start(port_of(server.get()));
  constexpr int kCount = 100;
  std::vector<UniqueFd> clients, conns;
  for (int i = 0; i < kCount; ++i) clients.push_back(connect_local(host_port));
  for (int i = 0; i < kCount; ++i) conns.push_back(accept_one(server.get()));
  // Each container side answers with its own name to whatever it hears.
  for (int i = 0; i < kCount; ++i) {
    std::string text = "hello " + std::to_string(i);
    ASSERT_EQ(::send(clients[i].get(), text.data(), text.size(), 0), ssize_t(text.size()));
    ASSERT_EQ(::shutdown(clients[i].get(), SHUT_WR), 0);
  }
  std::vector<std::string> heard;
  for (int i = 0; i < kCount; ++i) {
    heard.push_back(read_to_eof(conns[i].get()));
    ASSERT_EQ(::send(conns[i].get(), heard[i].data(), heard[i].size(), 0),
              ssize_t(heard[i].size()));
    conns[i].reset();
  }
  std::vector<std::string> answers;
  for (int i = 0; i < kCount; ++i) answers.push_back(read_to_eof(clients[i].get()));
  std::sort(heard.begin(), heard.end());
  std::sort(answers.begin(), answers.end());
  EXPECT_EQ(heard, answers);
  EXPECT_EQ(heard.size(), size_t(kCount));
  EXPECT_EQ(heard.front().rfind("hello ", 0), 0u);
}

// CPU time (utime + stime, in clock ticks) of pid.
long cpu_ticks(pid_t pid) {
  std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  std::istringstream in(stat.substr(stat.rfind(')') + 2));
  std::string field;
  long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && in >> field; ++i) {
    if (i == 14) utime = std::stol(field);
    if (i == 15) stime = std::stol(field);
  }
  return utime + stime;
}

TEST_F(PortRelayTest, WaitingConnectionsDoNotSpin) {
  UniqueFd server = listen_local();
  uint16_t host_port = start(port_of(server.get()));
  // One connection idle, one half-closed by the client whose server neither reads nor answers.
  UniqueFd idle = connect_local(host_port);
  UniqueFd idle_conn = accept_one(server.get());
  UniqueFd half = connect_local(host_port);
  UniqueFd half_conn = accept_one(server.get());
  ASSERT_EQ(::send(half.get(), "x", 1, 0), 1);
  ASSERT_EQ(::shutdown(half.get(), SHUT_WR), 0);
  ::usleep(100 * 1000);
  long before = cpu_ticks(relay_->pid());
  ::usleep(1000 * 1000);
  EXPECT_LE(cpu_ticks(relay_->pid()) - before, 5) << "the relay busy-loops";
}

TEST_F(PortRelayTest, StopEndsTheRelayAndFreesThePort) {
  UniqueFd server = listen_local();
  uint16_t host_port = start(port_of(server.get()));
  pid_t pid = relay_->pid();
  UniqueFd client = connect_local(host_port);
  UniqueFd conn = accept_one(server.get());
  relay_->stop();
  EXPECT_NE(::kill(pid, 0), 0);              // reaped
  EXPECT_EQ(read_to_eof(client.get()), "");  // its connections are cut, nothing hangs
  EXPECT_NO_THROW(probe_port(PortMapping{"127.0.0.1", host_port, 80, PortProtocol::kTcp}));
}

}  // namespace
}  // namespace dabba::runner
