// The container's network. The runner gives the container a network namespace of its own unless
// --network host; inside it the child brings `lo` up. Anything more (slirp4netns, published ports)
// is a NetworkSetup: the parent runs it once the child's namespaces exist and waits for it to be
// ready before the workload may exec.
#pragma once

#include <sys/types.h>

#include <memory>

#include "runner/spec.h"

namespace dabba::runner {

// Parent side of a network that needs a helper process. Owned by the ContainerProcess (and so by
// the detached supervisor for -d): it lives exactly as long as the container.
class NetworkSetup {
 public:
  virtual ~NetworkSetup() = default;
  // The child exists: /proc/<child>/ns/net is the container's network namespace (owned by the
  // user namespace dabba is root in), and the child is busy building its root. Start helpers that
  // join it. Throw Error to abort the start (the child is killed).
  virtual void parent_child_created(pid_t child) = 0;
  // The child is ready to exec and waits: block until the network is usable (e.g. slirp4netns's
  // --ready-fd said so and every port is published). Throw Error to abort the start.
  virtual void parent_before_exec() = 0;
  // The container is gone (or its start failed): stop helpers, remove their sockets.
  virtual void parent_container_exited() noexcept = 0;
};

// Whether mode gives the container its own network namespace.
bool has_own_network_namespace(NetworkMode mode);

// The NetworkSetup for spec.network, or nullptr when none is needed (none, host). For slirp4netns
// everything that can fail early fails here, before the container is cloned: the flags
// (validate_network), the binary, /dev/net/tun, and every host port (a port in use is named;
// -p CONTAINERPORT gets its free port now). Its steps:
//   parent_child_created: slirp4netns started on the child's network namespace (slirp.h), its API
//     socket <container_dir>/slirp4netns.sock, its log <container_dir>/logs/slirp4netns.log; the
//     port relay forked for the published ports, TCP and UDP (port_relay.h: it binds them on the
//     host, so a port taken since the check is named here; log logs/port-relay.log);
//   parent_before_exec: wait for --ready-fd (tap0 up with 10.0.2.100, default route via .2), unlink
//     the API socket (nothing is asked of it, and a SIGKILLed owner leaves no socket behind),
//     record the ports in <container_dir>/ports (port_publish.h, read by `ps`);
//   parent_container_exited: relay and slirp4netns ended and reaped, socket and record removed.
std::unique_ptr<NetworkSetup> make_network_setup(const Spec& spec);

// Child side, in the container's new network namespace: sets `lo` up.
void bring_loopback_up_child();

}  // namespace dabba::runner
