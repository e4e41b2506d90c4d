// The published ports (-p) of one start of a container, whichever network mode carries them
// (slirp4netns, a network of `network create`, pasta): the host ports reserved before the clone,
// so a port in use fails the start early; dabba's port relay (port_relay.h) forked into the
// container's namespace once it exists; the record `ps` reads (port_publish.h) written once the
// network is up; relay and record gone with the container.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "runner/net/network_spec.h"
#include "runner/net/port_relay.h"

namespace dabba::runner {

class PublishedPorts {
 public:
  // Removes the record of a previous start, then reserves the host ports (reserve_host_ports):
  // throws the Error of the first port that cannot be had.
  PublishedPorts(std::string container_dir, const std::vector<PortMapping>& ports);
  PublishedPorts(const PublishedPorts&) = delete;
  PublishedPorts& operator=(const PublishedPorts&) = delete;
  ~PublishedPorts() { stop(); }

  // Nothing to do without ports. Otherwise the relay enters child's network namespace and
  // connects to address there (the container's address, or its loopback); its log is
  // <log_dir>/port-relay.log.
  void start_relay(pid_t child, const std::string& address, const std::string& log_dir);
  // The network is up: the ports are recorded for `ps`.
  void record() const;
  // The relay ended and reaped, the record removed. Idempotent.
  void stop() noexcept;

 private:
  std::string container_dir_;
  std::vector<PortMapping> ports_;  // host ports all chosen
  std::optional<PortRelay> relay_;
};

}  // namespace dabba::runner
