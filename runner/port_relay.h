// Published UDP ports: a small relay process of dabba's own, not slirp4netns's add_hostfwd.
//
// Why: libslirp hands a UDP datagram from a client on the host's 127.0.0.1 to the container as
// coming from the gateway (10.0.2.2), and with --disable-host-loopback (our default) it drops every
// datagram the container sends to the gateway, replies included (libslirp's sotranslate_out; podman
// issue #4586). So a UDP server in the container could hear localhost clients but never answer
// them. TCP is not affected (slirp4netns's forwarding owns both ends of the connection) and stays
// with add_hostfwd.
//
// How: the owner binds every host socket (in the host's network namespace, where errors name the
// port), then forks the relay, which enters the container's network namespace for good. For each
// client address it keeps a socket made there, connected to the container's address and port, and
// copies datagrams both ways; the container sees the client as its own address. Idle clients are
// forgotten after two minutes. The relay lives exactly as long as its owner: it exits on the
// hang-up of an exit pipe whose write end only the owner holds (O_CLOEXEC), and on the owner's
// death (PR_SET_PDEATHSIG). Its own session keeps the terminal's signals away.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/unique_fd.h"
#include "runner/network_spec.h"

namespace dabba::runner {

class UdpPortRelay {
 public:
  // Binds ports (UDP, host ports chosen), forks the relay into the network namespace of
  // netns_pid, and waits until it is there. Throws Error naming a port that cannot be bound, or
  // why the relay could not enter the namespace. Its stderr is appended to log_path. The caller
  // must be single-threaded.
  static UdpPortRelay start(pid_t netns_pid, const std::vector<PortMapping>& ports,
                            const std::string& guest_addr, const std::string& log_path);

  UdpPortRelay(UdpPortRelay&& other) noexcept;
  UdpPortRelay& operator=(UdpPortRelay&&) = delete;
  ~UdpPortRelay() { stop(); }

  pid_t pid() const { return pid_; }
  // Ends the relay (hang-up; SIGKILL if it lingers) and reaps it.
  void stop() noexcept;

 private:
  UdpPortRelay() = default;
  pid_t pid_ = -1;
  UniqueFd pidfd_;
  UniqueFd exit_;  // write end: closing it ends the relay
};

}  // namespace dabba::runner
