// A container's way into a network whose bridge netavark already made, without running netavark:
// the quick path of bridge_network.h for every container but the first on a network.
//
// Why: a `netavark setup` takes ~30 ms here and its teardown ~25 ms, nearly all of it iptables
// calls that find the network's rules in place (they are per network, made with its first
// container), so a container on a network started 5x slower than with --network none. What is
// per container is small and is done here: the veth pair (rtnetlink.h; its bridge end named
// dvXXXXXXXX, its container end a.interface, made directly in the container's namespace), the
// container's address and default route, and its line in aardvark-dns's config for the network
// (the format netavark writes: "ID IPV4 IPV6 NAME,ALIAS..."), aardvark-dns told by SIGHUP to
// re-read it. The DNS line comes first, so aardvark-dns reloads while the veth is made: written
// last, a workload resolving a peer at once met aardvark-dns mid-reload ("bad address" in 1 of 3
// starts as root). Asking aardvark-dns for the new name until it answers was tried and dropped: a
// query that comes before the reload is forwarded upstream and held a start for a second in 1 of
// 4. The rest stays netavark's: the bridge, its address, the firewall rules and
// aardvark-dns itself are made by the setup of a network's first container and removed by
// netavark's teardown of the last container it set up that finds no other port on the bridge;
// a bridge left behind that way goes with the user's networks' namespace.
//
// Every netavark run and every quick attach or detach holds <netns_holder_dir>/setup.lock, so a
// bridge found here is not being torn down meanwhile.
#pragma once

#include <sys/types.h>

#include <string>

#include "common/file_lock.h"
#include "runner/net/network_spec.h"

namespace dabba::runner {

// flock on <netns_holder_dir>/setup.lock.
FileLock lock_network_setup();

// Attaches the container whose network namespace is container_netns (an fd) to network a, the quick
// way, when a's bridge exists in holder's network namespace (and, for a network with DNS,
// aardvark-dns runs with a config for it). Returns false, having changed nothing, when not:
// netavark must set it up. Throws Error naming the step that failed. Call with
// lock_network_setup() held.
bool attach_to_bridge(pid_t holder, int container_netns, const std::string& container_id,
                      const std::string& container_name, const NetworkAttachment& a);

// Undoes attach_to_bridge's DNS entry (the veth goes with the container's namespace). Call with
// lock_network_setup() held. Never throws.
void detach_from_bridge(pid_t holder, const std::string& container_id,
                        const NetworkAttachment& a) noexcept;

}  // namespace dabba::runner
