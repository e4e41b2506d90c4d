// --security-opt and --privileged, as podman spells them, and what they make of a Spec's security
// fields (capabilities, seccomp, masked paths; docs/security.md):
//   seccomp=unconfined | seccomp=PROFILE.json (an OCI/Docker profile) | mask=P1:P2 |
//   unmask=ALL|P1:P2 (shell patterns) | no-new-privileges (always on) | label=disable,
//   apparmor=unconfined (dabba applies neither: accepted, nothing to do).
// --privileged: every capability, no seccomp filter, no masked or read-only paths (mask= still
// applies), /sys read-write and the host's devices, as podman does rootless.
#pragma once

#include <string>
#include <vector>

#include "runner/capabilities.h"
#include "runner/spec.h"

namespace dabba::cli {

struct SecurityOptions {
  bool seccomp = true;
  std::string seccomp_profile_path;  // "" = the default profile
  std::vector<std::string> mask, unmask;
  // The set --cap-add/--cap-drop change: podman's, or containers.conf's default_capabilities.
  runner::CapabilitySet default_capabilities = runner::kDefaultCapabilities;
};

// Throws Error{kInvalidArgument} for an option dabba does not know or a malformed one.
SecurityOptions parse_security_options(const std::vector<std::string>& opts);

// Sets spec.capabilities, seccomp, seccomp_profile (reads and checks the profile file), masked and
// privileged.
void apply_security_options(const SecurityOptions& options, bool privileged,
                            const std::vector<std::string>& cap_add,
                            const std::vector<std::string>& cap_drop, runner::Spec& spec);

}  // namespace dabba::cli
