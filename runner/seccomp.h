// The workload's seccomp filter: the syscalls Docker's and podman's default profiles refuse to a
// container, refused with EPERM unless the container holds the capability that would make them
// legitimate (mount, setns, pivot_root with SYS_ADMIN; kcmp with SYS_PTRACE; ...). unshare is
// allowed, as podman's profile allows it (a user namespace inside the container needs no
// privilege; the other namespaces then follow the usual capability checks).
// Key management (add_key, keyctl, request_key: the kernel keyring is not namespaced) is refused
// always. clone with namespace flags is refused without SYS_ADMIN; clone3, whose flags a filter
// cannot read, answers ENOSYS then, so libc falls back to clone (Docker does the same).
// Syscalls of other ABIs (x32, i386 on x86_64) are refused outright, unlike podman's profile,
// which translates its rules for them: a 32-bit image needs --security-opt seccomp=unconfined
// (`run` says so). Installed last before exec,
// after no_new_privs; `--security-opt seccomp=unconfined` turns it off.
#pragma once

#include "runner/capabilities.h"

namespace dabba::runner {

// Throws Error when the kernel refuses the filter. On an architecture this file has no table for,
// does nothing.
void install_seccomp_filter(CapabilitySet capabilities);

}  // namespace dabba::runner
