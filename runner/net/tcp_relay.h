// The TCP half of the port relay's loop (port_relay.h forks the process and runs the loop), the
// way podman's rootlessport does it: the bytes go from one kernel socket to another, never through
// slirp4netns's user-space TCP stack, which is what made published TCP ports slower than podman's.
//
// For every connection accepted on a host port (the listening sockets were made in the host's
// network namespace), a socket made in the container's namespace connects, non-blocking, to the
// container's address and port; then bytes are spliced both ways through a pipe per direction.
//   - Backpressure: a direction reads only once its pipe is empty, so a slow reader slows the
//     writer (its socket buffers fill) instead of filling the relay's memory.
//   - Half-close: EOF from one side becomes shutdown(SHUT_WR) on the other; the connection is
//     closed once both directions have seen theirs.
//   - Refused, reset, or any other error: both sockets are closed at once, the surviving one with
//     a reset (SO_LINGER 0), so the client learns promptly that nobody is there.
//   - One epoll set, edge-triggered; a connection that used up its share of a round is served
//     again in the next, so a fast transfer does not starve the others.
#pragma once

#include <netinet/in.h>

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "common/unique_fd.h"

namespace dabba::runner {

class TcpRelay {
 public:
  // listeners: listening host sockets (non-blocking, owned by the caller); connections to
  // listeners[i] go to container_ports[i] on guest. Runs in the container's network namespace.
  TcpRelay(std::vector<int> listeners, std::vector<uint16_t> container_ports,
           const struct in_addr& guest);

  // An epoll fd: readable when run() has something to do.
  int fd() const { return epoll_.get(); }
  // Whether run() has work left over from its last round even if fd() is not readable.
  bool has_work() const { return !again_.empty(); }
  // Whether accepting waits (connection limit, or out of fds): run() should be called again soon.
  bool accept_paused() const { return accept_paused_; }
  // Accepts, connects and copies what is ready now; never blocks.
  void run();

 private:
  struct Flow {  // one direction of a connection
    int from = -1;
    int to = -1;
    Pipe pipe;
    size_t queued = 0;  // bytes in the pipe
    bool eof = false;   // from said EOF
    bool done = false;  // ... and to was shut down for writing
  };
  struct Connection {
    UniqueFd host;   // accepted in the host's namespace
    UniqueFd guest;  // made in the container's, connecting to guest:port
    bool connected = false;
    bool again = false;  // in again_
    Flow up;             // host -> container
    Flow down;           // container -> host
  };
  enum class Pumped { kWaiting, kMore, kFailed };

  void accept_from(size_t listener);
  void open(UniqueFd host, size_t listener);
  void serve(uint64_t id);
  static Pumped pump(Flow& flow, size_t budget);
  void close(uint64_t id, bool reset);

  std::vector<int> listeners_;
  std::vector<uint16_t> container_ports_;
  struct in_addr guest_;
  UniqueFd epoll_;
  std::unordered_map<uint64_t, Connection> connections_;
  uint64_t next_id_ = 1;
  size_t max_connections_;
  std::vector<uint64_t> again_;  // connections with work left
  bool accept_paused_ = false;   // at max_connections_ (or out of fds): the backlog waits
};

}  // namespace dabba::runner
