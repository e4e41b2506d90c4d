// What the build made of podman's default profile (runner/seccomp_default.json): its text, and the
// BPF programs tools/seccomp_gen compiled from it, with dabba's additions, for the capability sets
// most containers have (podman's default set, and none: --cap-drop ALL). Only the capabilities
// the profile's rules name change the program, so a set that agrees with a built one on those
// (--cap-add NET_RAW, --cap-drop CHOWN) uses it too. Defined in the generated
// seccomp_default_data.cc.
#pragma once

#include <cstddef>

#include "runner/capabilities.h"

namespace dabba::runner {

struct BuiltSeccompProgram {
  CapabilitySet capabilities;
  const unsigned char* program;  // sock_filter[]
  size_t size;                   // bytes
};

extern const BuiltSeccompProgram kBuiltSeccompPrograms[];
extern const size_t kBuiltSeccompProgramCount;
// The capabilities the profile's rules name (includes/excludes.caps).
extern const CapabilitySet kSeccompProfileCapabilities;

}  // namespace dabba::runner
