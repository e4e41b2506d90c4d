// The UDP half of the port relay's loop (port_relay.h forks the process and runs the loop).
//
// Why UDP needs it: libslirp hands a UDP datagram from a client on the host's 127.0.0.1 to the
// container as coming from the gateway (10.0.2.2), and with --disable-host-loopback (our default)
// it drops every datagram the container sends to the gateway, replies included (libslirp's
// sotranslate_out; podman issue #4586). So through slirp4netns's add_hostfwd a UDP server in the
// container could hear localhost clients but never answer them.
//
// How: for each client address (per published port) it keeps a socket made in the container's
// network namespace, connected to the container's address and port, and copies datagrams both
// ways; the container sees the client as its own address. Idle clients are forgotten after two
// minutes; at most 4096 are kept (the quietest goes first).
#pragma once

#include <netinet/in.h>
#include <poll.h>

#include <cstdint>
#include <ctime>
#include <vector>

#include "common/unique_fd.h"

namespace dabba::runner {

class UdpRelay {
 public:
  // hosts: bound host sockets (non-blocking, owned by the caller); container_ports[i] is where
  // datagrams to hosts[i] go, on guest. Runs in the container's network namespace.
  UdpRelay(std::vector<int> hosts, std::vector<uint16_t> container_ports,
           const struct in_addr& guest);

  // Appends what to poll: the host sockets, then the clients' sockets.
  void add_poll_fds(std::vector<struct pollfd>& fds) const;
  // Copies what is ready. polled: the entries add_poll_fds appended, with their revents.
  void handle(const struct pollfd* polled, time_t now);

 private:
  struct Client {
    struct sockaddr_in addr;  // on the host
    size_t port = 0;          // index into hosts_
    UniqueFd fd;              // in the container's namespace, connected to guest:container_port
    time_t last = 0;
  };
  void from_container(Client& c, time_t now);
  void from_host(size_t i, time_t now);

  std::vector<int> hosts_;
  std::vector<uint16_t> container_ports_;
  struct in_addr guest_;
  std::vector<Client> clients_;
  std::vector<char> buf_;
};

}  // namespace dabba::runner
