// The workload's seccomp filter: a profile (seccomp_profile.h) compiled with libseccomp into a BPF
// program for the container's capability set, in the parent (plan), and installed by the child as
// the last step before it execs (workload_child.h), after no_new_privs.
//
// By default the profile is podman's with dabba's additions, an allow-list: anything it does not
// name is refused with ENOSYS (io_uring, personality flags that weaken ASLR, syscalls newer than
// the profile), the capability-conditioned rules follow the container's bounding set, and the
// filter covers x86_64, x86 and x32 (arm64 and arm) so a linux/386 image runs as under podman.
// Compiling podman's profile costs libseccomp tens of milliseconds, so the filters for podman's
// default capability set and for none (--cap-drop ALL) are compiled when dabba is built
// (tools/seccomp_gen.cc, seccomp_default.h) and only copied here, also for any set that agrees
// with one of them on the capabilities the profile names; other sets (--cap-add SYS_ADMIN) and
// `--security-opt seccomp=PROFILE.json` are compiled per start.
//
// Compilation rules where a profile is ambiguous: rules whose includes/excludes do not match the
// container are dropped; a syscall with an unconditional rule gets that rule alone, and of two
// unconditional rules a refusal wins over an allow (podman's profile allows setns and also
// refuses it without SYS_ADMIN: dabba refuses it, runc lets the allow win); conditional rules of
// one syscall are kept in order; names libseccomp does not know are skipped, as runc does.
#pragma once

#include <linux/filter.h>

#include <vector>

#include "runner/capabilities.h"
#include "runner/seccomp_profile.h"

namespace dabba::runner {

struct SeccompFilter {
  std::vector<sock_filter> program;  // empty: no filter (--security-opt seccomp=unconfined)
  unsigned flags = 0;                // SECCOMP_FILTER_FLAG_LOG, _SPEC_ALLOW
  bool empty() const { return program.empty(); }
};

// Compiles `profile` for a container whose bounding set is `caps`, on this kernel. Throws
// Error{kInvalidArgument} for a profile libseccomp refuses.
SeccompFilter compile_seccomp_filter(const SeccompProfile& profile, CapabilitySet caps);

// The default (podman's profile + with_dabba_additions) for `caps`: a build-time program when one
// fits, else compiled now.
SeccompFilter default_seccomp_filter(CapabilitySet caps);

// What a container gets: "" = the default profile, else the JSON text of a profile
// (--security-opt seccomp=PROFILE.json). Throws Error naming a bad profile.
SeccompFilter container_seccomp_filter(const std::string& profile_json, CapabilitySet caps);

// Child side: installs the program (SECCOMP_SET_MODE_FILTER with its flags). no_new_privs must be
// set (or CAP_SYS_ADMIN held). Throws Error.
void install_seccomp_filter(const SeccompFilter& filter);

}  // namespace dabba::runner
