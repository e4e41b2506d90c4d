// The user's network namespace for the networks of `network create` (docs/network.md), as podman's
// rootless network namespace: every bridge, every container's other veth end and aardvark-dns live
// in it, and it reaches the outside through slirp4netns.
//
// It is held by a process titled `dabba-netns`, PID 1 of a PID namespace of its own, made in dabba's
// user namespace. Its children are slirp4netns (in the caller's network namespace, attached to the
// holder's, whose tap0 is its way out) and, through nsenter, netavark and the aardvark-dns netavark
// starts: the PID namespace ties them to the holder, since the kernel kills every process in it
// when its PID 1 dies, so a SIGKILLed holder leaves nothing behind. The holder also has a mount
// namespace of its own whose /etc/resolv.conf names slirp4netns's DNS forwarder, which aardvark-dns
// forwards other names to.
//
// Files, in <pause_runtime_dir>/netns/ (0700): holder.pid ("PID STARTTIME", trusted only when that
// process's title is dabba-netns), lock (flock: one creator, and no stop while a member joins),
// members/<container id> ("PID STARTTIME" of the process that owns the container's network: a
// member whose owner is gone, SIGKILLed, does not count), netavark/ (netavark's --config: its lock
// and aardvark-dns's config), slirp4netns.log, resolv.conf.
#pragma once

#include <sys/types.h>

#include <string>

namespace dabba::runner {

// The directory above: "" when the user has no private runtime directory (then no networks).
std::string netns_holder_dir();

// The holder, started if need be (slirp4netns ready, or pasta's default route when via_pasta),
// with member recorded as one of its users (owned by this process). Returns the holder's pid. A
// holder already running keeps its way out. Throws Error naming what failed (slirp4netns or pasta
// missing, /dev/net/tun, no runtime directory).
pid_t join_netns_holder(const std::string& member, bool via_pasta = false);

// member leaves; when no live member is left, the holder is stopped (and with it slirp4netns and
// aardvark-dns). Never throws.
void leave_netns_holder(const std::string& member) noexcept;

// The holder's pid when one runs, else -1 (for `info` and tests).
pid_t running_netns_holder();

}  // namespace dabba::runner
