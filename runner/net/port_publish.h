// The host side of -p: which host ports a container gets, why one cannot be had, and the record of
// what was published (<container_dir>/ports, read by `ps`).
//
// Ports are bound by dabba's port relay (port_relay.h), in the host's network namespace, the way
// slirp4netns's add_hostfwd binds them: with SO_REUSEADDR for TCP (so a TIME_WAIT left by an old
// connection does not count), without for UDP. The probes here bind the same way, so what they
// cannot bind, the relay cannot either, and the error says why.
#pragma once

#include <string>
#include <vector>

#include "common/unique_fd.h"
#include "runner/net/network_spec.h"

namespace dabba::runner {

// Every port with a host port: fixed ones checked free (probe_port), host_port 0 replaced by a
// free port the kernel picks (bind to port 0). Throws the Error of the first port that cannot be
// had. A port can still be taken between this check and the relay's bind; publishing then
// fails with the same diagnosis.
std::vector<PortMapping> reserve_host_ports(const std::vector<PortMapping>& ports);

// Binds (and for TCP listens on) the port as bind_host_port does, then lets it go. Throws
// Error{kConflict} "host port 8080/tcp on 127.0.0.1 is already in use", kPermission for a
// privileged port, kInvalidArgument for an address the host does not have.
void probe_port(const PortMapping& port);

// The host socket of a port, for the relay (port_relay.h): UDP bound, TCP bound and listening.
// Throws as probe_port.
UniqueFd bind_host_port(const PortMapping& port);

// The record of the published ports: one "127.0.0.1:8080->80/tcp" per line, replaced atomically.
std::string published_ports_path(const std::string& container_dir);
void write_published_ports(const std::string& container_dir, const std::vector<PortMapping>& ports);
// Empty when the container published nothing (or its record is gone).
std::vector<PortMapping> read_published_ports(const std::string& container_dir);
void remove_published_ports(const std::string& container_dir) noexcept;

}  // namespace dabba::runner
