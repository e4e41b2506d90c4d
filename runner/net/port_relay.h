// Published ports (-p), TCP and UDP: a small relay process of dabba's own, not slirp4netns's
// add_hostfwd. For TCP it is speed: through add_hostfwd every byte crosses libslirp's user-space
// TCP stack, while the relay copies between two kernel sockets (tcp_relay.h), as podman's
// rootlessport does. For UDP it is correctness: through add_hostfwd a container cannot answer a
// client on the host's loopback (udp_relay.h says why).
//
// How: the owner binds every host socket (and listens on the TCP ones) in the host's network
// namespace, where errors name the port, then forks the relay, which enters the container's network
// namespace for good: the sockets it makes there reach the container's address as a local one.
// The relay lives exactly as long as its owner: it exits on the hang-up of an exit pipe whose write
// end only the owner holds (O_CLOEXEC), and on the owner's death (PR_SET_PDEATHSIG). Its own
// session keeps the terminal's signals away. Its stderr is a log file.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/child_process.h"
#include "common/unique_fd.h"
#include "runner/net/network_spec.h"

namespace dabba::runner {

class PortRelay {
 public:
  // Binds ports (host ports chosen; TCP ones listening), forks the relay into the network
  // namespace of netns_pid, and waits until it is there. Throws Error naming a port that cannot be
  // bound, or why the relay could not enter the namespace. Its stderr is appended to log_path.
  // The caller must be single-threaded.
  static PortRelay start(pid_t netns_pid, const std::vector<PortMapping>& ports,
                         const std::string& guest_addr, const std::string& log_path);

  PortRelay(PortRelay&& other) noexcept = default;
  PortRelay& operator=(PortRelay&&) = delete;
  ~PortRelay() { stop(); }

  pid_t pid() const { return child_.pid(); }
  // Ends the relay (hang-up; SIGKILL if it lingers) and reaps it. Open connections are cut.
  void stop() noexcept;

 private:
  PortRelay() = default;
  ChildProcess child_;
  UniqueFd exit_;  // write end: closing it ends the relay
};

// For the relay's loops (tcp_relay.cc, udp_relay.cc): one line to its log.
void relay_log(const std::string& text) noexcept;

}  // namespace dabba::runner
