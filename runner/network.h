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

// The NetworkSetup for spec.network, or nullptr when none is needed (none, host). slirp4netns is
// the networking issue's: until then it is an Error{kNotImplemented}.
std::unique_ptr<NetworkSetup> make_network_setup(const Spec& spec);

// Child side, in the container's new network namespace: sets `lo` up.
void bring_loopback_up_child();

}  // namespace dabba::runner
