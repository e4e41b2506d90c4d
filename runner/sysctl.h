// --sysctl NAME=VALUE: the namespaced kernel parameters podman allows (its ValidateSysctls):
// kernel.msgmax, msgmnb, msgmni, sem, shmall, shmmax, shmmni, shm_rmid_forced (the container's
// IPC namespace), fs.mqueue.* (also IPC), and net.* (its network namespace, so not with
// --network host). The child writes them through /proc/sys once it is in the container's
// namespaces and before it builds the root (container_child.h): the container's own /proc/sys is
// read-only by then, as podman's.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "runner/net/network_spec.h"

namespace dabba::runner {

using Sysctl = std::pair<std::string, std::string>;  // name ("net.ipv4.ip_forward"), value

// "NAME=VALUE", with podman's words for the errors (Error{kInvalidArgument}): "X is invalid,
// sysctl values must be in the form of KEY=VALUE", "sysctl 'vm.swappiness' is not allowed".
// The name may use '/' for '.' (as sysctl(8) does); it is returned with dots.
Sysctl parse_sysctl(const std::string& text);

// The net.* ones need a network namespace of the container's own: podman's error otherwise.
void check_sysctl_network(const Sysctl& sysctl, NetworkMode mode);

// "/proc/sys/net/ipv4/ip_forward" for "net.ipv4.ip_forward".
std::string sysctl_path(const std::string& name);

// Child side: writes each value (namespaced: the kernel takes the writer's namespaces). Throws
// Error naming the sysctl ("open /proc/sys/net/nosuch: no such file or directory").
void write_sysctls(const std::vector<Sysctl>& sysctls);

}  // namespace dabba::runner
