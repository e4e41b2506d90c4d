// --network pasta[:OPTIONS]: the container's own network namespace, connected by pasta (Debian
// package passt) instead of slirp4netns: a copy of the host's addresses and routes, and
// connections to the default gateway's address reaching the host's loopback (pasta's map-gw), as
// in podman 5's default mode. OPTIONS are pasta's own command-line options, comma-separated, passed
// through (podman's syntax: `pasta:--mtu,1500`). Published ports (-p) go through dabba's port relay
// (port_relay.h) to the container's loopback.
//
// How it is started. pasta drops every capability before it opens the namespace it is given, so it
// cannot open another process's /proc/PID/ns/net (the kernel's ptrace check wants the caller's
// capabilities to cover the target's): it gets the namespace as an fd it inherits, named
// /proc/self/fd/N. It runs in the foreground as the owner's child, with the owner's death as its
// parent-death signal (SIGKILL), so nothing outlives a SIGKILLed owner; `--runas 0:0` keeps it
// from switching to `nobody` (it is uid 0 in dabba's user namespace). Ready once the container's
// namespace has its default route (pasta --config-net sets it last).
#pragma once

#include <memory>

#include "runner/net/network.h"

namespace dabba::runner {

// Checks what can fail early (pasta installed, the host ports free).
std::unique_ptr<NetworkSetup> make_pasta_network(const Spec& spec);

// pasta's path ($DABBA_PASTA, else PATH). Throws Error{kNotFound} naming the Debian package.
std::string find_pasta();
// Whether the network namespace of pid has a default route (pasta --config-net sets it last).
bool has_default_route(pid_t pid);

}  // namespace dabba::runner
