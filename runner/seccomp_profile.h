// A seccomp profile as plain data: the OCI/Docker JSON format podman and Docker read
// (`--security-opt seccomp=PROFILE.json`), and podman's default profile, which dabba ships
// (runner/seccomp_default.json, from containers-common 0.50.1 = podman 4.3) and starts every
// container with. seccomp_filter.h turns a profile into a BPF program for a capability set.
//
// The format: a default action (podman's: ERRNO with ENOSYS, so a syscall newer than the profile
// is refused the way an old kernel refuses it, and libc falls back), an architecture map (the
// native one and those a process may switch to: x86 and x32 beside x86_64), and rules: names, an
// action (+ errno), argument conditions, and includes/excludes by capability, architecture and
// minimum kernel. What dabba adds beyond podman's profile is data too (dabba_additions), so both
// can be read and tested as tables.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runner/capabilities.h"

namespace dabba::runner {

enum class SeccompAction { kAllow, kErrno, kKillThread, kKillProcess, kTrap, kTrace, kLog };

// The comparisons of libseccomp (scmp_compare), which the JSON names SCMP_CMP_*.
enum class SeccompOp { kNe, kLt, kLe, kEq, kGe, kGt, kMaskedEq };

struct SeccompArg {
  unsigned index = 0;  // 0..5
  uint64_t value = 0;
  uint64_t value_two = 0;  // kMaskedEq: (arg & value) == value_two
  SeccompOp op = SeccompOp::kEq;
  bool operator==(const SeccompArg&) const = default;
};

struct SeccompRule {
  std::vector<std::string> names;
  SeccompAction action = SeccompAction::kAllow;
  int errno_ret = 1;  // kErrno (EPERM unless errnoRet says otherwise); kTrace: the message
  std::vector<SeccompArg> args;  // all must hold
  // The rule applies only when the container holds all of include_caps and none of
  // exclude_caps (its bounding set), and the native architecture (Go's names: amd64, arm64, ...)
  // is in include_arches (when given) and not in exclude_arches; and the kernel is at least
  // min_kernel ("4.8"; "" = any).
  std::vector<std::string> include_caps, exclude_caps;
  std::vector<std::string> include_arches, exclude_arches;
  std::string min_kernel;
};

struct SeccompProfile {
  SeccompAction default_action = SeccompAction::kErrno;
  int default_errno = 1;
  // libseccomp architecture names (SCMP_ARCH_X86_64, ...) the filter covers: the native one and
  // its sub-architectures from archMap, or the old "architectures" list. Empty: the native one.
  std::vector<std::string> architectures;
  std::vector<SeccompRule> rules;
  std::vector<std::string> flags;  // SECCOMP_FILTER_FLAG_LOG, _SPEC_ALLOW, _TSYNC
};

// Parses the JSON text of a profile. Throws Error{kInvalidArgument} naming what is wrong (an
// unknown action, operator, a rule without names, SCMP_ACT_NOTIFY which needs an agent).
SeccompProfile parse_seccomp_profile(std::string_view json);

// podman 4.3's default profile, as shipped (runner/seccomp_default.json).
std::string_view default_seccomp_profile_json();

// What dabba refuses beyond podman's default profile, applied to it for every container that uses
// the default (never to a profile the user gives): keyctl (podman allows it, and relies on runc
// giving each container a session keyring of its own, which dabba does not make; the user's
// keyrings are not namespaced) and name_to_handle_at refused with EPERM; without SYS_ADMIN, clone
// with a namespace flag refused with EPERM and clone3 (whose flags a filter cannot read) with
// ENOSYS, so libc falls back to clone, as Docker's profile does.
SeccompProfile with_dabba_additions(SeccompProfile profile);

// Go's name of the architecture dabba was built for ("amd64", "arm64", ...), as profiles'
// includes/excludes spell it; and libseccomp's (SCMP_ARCH_X86_64, ...).
const char* native_go_arch();
const char* native_scmp_arch();

// The capabilities the profile's rules name: only these can change its program.
CapabilitySet profile_capabilities(const SeccompProfile& profile);

// Whether `rule` applies to a container with `caps` on a kernel `kernel_version` ("6.1.0").
bool seccomp_rule_applies(const SeccompRule& rule, CapabilitySet caps,
                          std::string_view kernel_version);

}  // namespace dabba::runner
