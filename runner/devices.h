// --device HOST[:CONTAINER][:PERMS]: a host device node in the container. dabba is rootless, so
// as rootless podman (and crun) do, the node is bind-mounted from the host onto CONTAINER (default
// the same path) rather than made with mknod; the host's permissions still decide who may open
// it, and PERMS (r, w, m: device-cgroup rules) is checked but has nothing to apply to. A
// directory brings every device node under it.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace dabba::runner {

struct DeviceSpec {
  std::string host;       // absolute
  std::string container;  // absolute; = host when not given
  std::string perms = "rwm";
  bool operator==(const DeviceSpec&) const = default;
};

// podman's parsing: a second field that is a mode (only r, w, m) is PERMS, else it must be an
// absolute path. Throws Error{kInvalidArgument}: "invalid device mode: q".
DeviceSpec parse_device(const std::string& text);

// The binds the devices make, host path -> container path, with a directory expanded into its
// device nodes. Throws Error: "stat /dev/nosuch: no such file or directory" (exit 125 before
// anything runs), "/etc/passwd is not a valid device: not a device node".
std::vector<std::pair<std::string, std::string>> device_binds(
    const std::vector<DeviceSpec>& devices);

}  // namespace dabba::runner
