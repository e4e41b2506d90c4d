// netavark, podman's network backend (Debian package netavark, 1.4 here), run for one container:
// `setup` gives the container's network namespace a veth into each network's bridge (making the
// bridge, its gateway address and the masquerade rules when it is the first), and starts or
// reloads aardvark-dns with the container's name and aliases; `teardown` undoes it (and stops
// aardvark-dns when no container is left). Both read podman's NetworkOptions JSON on stdin.
//
// It runs in the user's networks' namespace (netns_holder.h) through nsenter: its network, PID and
// mount namespaces, so the bridges and aardvark-dns live there and die with the holder. Its config
// directory (--config) is the holder's netavark/.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "runner/net/network_spec.h"

namespace dabba::runner {

// podman's NetworkOptions for a container (no port mappings: dabba's relay publishes ports).
std::string netavark_options(const std::string& container_id, const std::string& container_name,
                             const std::vector<NetworkAttachment>& networks);

// Runs `netavark setup|teardown NETNS_PATH` with options on stdin in holder's namespaces; its
// stderr is appended to log_path. Throws Error with netavark's own message when it fails, or
// naming the Debian package when netavark or aardvark-dns is missing.
void run_netavark(pid_t holder, const std::string& verb, const std::string& netns_path,
                  const std::string& options, const std::string& log_path);

// Throws Error{kNotFound} naming the package when netavark or aardvark-dns is not installed.
void check_netavark_installed();

}  // namespace dabba::runner
