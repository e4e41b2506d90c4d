// What the build made of podman's default profile (runner/seccomp_default.json): its text, and the
// BPF program tools/seccomp_gen compiled from it, with dabba's additions, for the default
// capability set. Defined in the generated seccomp_default_data.cc.
#pragma once

#include <cstddef>

#include "runner/capabilities.h"

namespace dabba::runner {

extern const unsigned char kBuiltSeccompProgram[];
extern const size_t kBuiltSeccompProgramSize;
extern const CapabilitySet kBuiltSeccompCapabilities;

}  // namespace dabba::runner
