// The container's capabilities, as Docker and podman bound them: the workload's root keeps a
// default set (podman's: 0x800405fb, CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP
// NET_BIND_SERVICE SYS_CHROOT SETFCAP) as its bounding, permitted and effective sets; a non-root
// user has none effective and the same bounding set; `--cap-add` / `--cap-drop` change the set.
// Rootless they are capabilities of dabba's user namespace only; dropping the rest still keeps
// the container from, e.g., mounting (SYS_ADMIN) or opening raw sockets (NET_RAW).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dabba::runner {

using CapabilitySet = uint64_t;  // bit N = capability N (linux/capability.h)

inline constexpr CapabilitySet kDefaultCapabilities = 0x800405fbULL;

// "NET_RAW", "CAP_NET_RAW", "net_raw" → its number; throws Error{kInvalidArgument} naming an
// unknown one.
int parse_capability(const std::string& name);
std::string capability_name(int cap);  // "CAP_NET_RAW"

// The default set (base: podman's, or containers.conf's default_capabilities) less `--cap-drop`,
// plus `--cap-add` ("ALL" meaning every capability), so `--cap-drop ALL --cap-add NET_RAW` leaves
// NET_RAW alone and `--cap-add ALL --cap-drop NET_RAW` is everything but NET_RAW, as in Docker and
// podman; ALL in both is an error.
CapabilitySet capability_set(const std::vector<std::string>& add,
                             const std::vector<std::string>& drop,
                             CapabilitySet base = kDefaultCapabilities);
// Names (as parse_capability reads them) as a set; what names them in errors.
CapabilitySet capabilities_named(const std::vector<std::string>& names, const std::string& what);

// "CAP_CHOWN,CAP_KILL" (for ps/inspect-like output and errors).
std::string describe_capabilities(CapabilitySet set);

// Child side, in this order: before the user switch, drop everything outside `keep` from the
// bounding set and clear the ambient set; after it, give a root workload `keep` as its
// permitted and effective sets (a non-root one lost them with its uid).
void bound_capabilities(CapabilitySet keep);
void set_root_capabilities(CapabilitySet keep);

}  // namespace dabba::runner
