// The host side of -p: which host ports a container gets, why one cannot be had, and the record of
// what was published (<container_dir>/ports, read by `ps`).
//
// Ports are bound by slirp4netns, in the host's network namespace (it enters the container's only
// to make the tap device), with SO_REUSEADDR for TCP. So the probes here bind the same way: what
// they cannot bind, slirp4netns cannot either, and they can say why (its API only says "failed").
#pragma once

#include <string>
#include <vector>

#include "common/unique_fd.h"
#include "runner/network_spec.h"

namespace dabba::runner {

// Every port with a host port: fixed ones checked free (probe_port), host_port 0 replaced by a
// free port the kernel picks (bind to port 0). Throws the Error of the first port that cannot be
// had. A port can still be taken between this check and slirp4netns's bind; publishing then
// fails with the same diagnosis.
std::vector<PortMapping> reserve_host_ports(const std::vector<PortMapping>& ports);

// Binds (and for TCP listens on) the port as slirp4netns would, then lets it go. Throws
// Error{kConflict} "host port 8080/tcp on 127.0.0.1 is already in use", kPermission for a
// privileged port, kInvalidArgument for an address the host does not have.
void probe_port(const PortMapping& port);

// The host socket of a UDP port (bound, not connected), for a relay of our own (port_relay.h).
// Throws as probe_port.
UniqueFd bind_udp_host_port(const PortMapping& port);

// The record of the published ports: one "127.0.0.1:8080->80/tcp" per line, replaced atomically.
std::string published_ports_path(const std::string& container_dir);
void write_published_ports(const std::string& container_dir, const std::vector<PortMapping>& ports);
// Empty when the container published nothing (or its record is gone).
std::vector<PortMapping> read_published_ports(const std::string& container_dir);
void remove_published_ports(const std::string& container_dir) noexcept;

}  // namespace dabba::runner
