// --ulimit: the container's resource limits, as podman takes and sets them. Parsing and the
// defaults are plain functions (unit-tested); the child applies the result with setrlimit just
// before the exec (workload_child.h), after its own fd shuffle, so a tiny nofile or as cannot
// break dabba's last steps.
//
// Defaults, as podman 4.x: nofile and nproc are raised to the caller's hard limit (at most
// 1048576; real root first raises its own to 1048576 where it may), unless --ulimit names them or
// `--ulimit host` asks for the caller's limits unchanged. Every other limit is inherited.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dabba::runner {

// One --ulimit NAME=SOFT[:HARD]: the names podman (go-units) takes, plus "as"; kUnlimited for -1.
struct UlimitSpec {
  std::string name;  // "nofile", "nproc", "core", ...
  uint64_t soft = 0;
  uint64_t hard = 0;
  bool operator==(const UlimitSpec&) const = default;
};
constexpr uint64_t kUnlimited = ~uint64_t{0};  // RLIM_INFINITY

// "nofile=1024:2048", "nofile=1024" (hard = soft), "core=-1" (unlimited; "unlimited" too).
// Throws Error{kInvalidArgument} with podman's words: `ulimit option "X" requires name=SOFT:HARD,
// failed to be parsed: invalid ulimit type: bogus`.
UlimitSpec parse_ulimit(const std::string& text);

// RLIMIT_* for a name parse_ulimit() accepted, or -1.
int rlimit_resource(const std::string& name);

// What the child sets: the --ulimit values (the last one of a name wins) and podman's nofile and
// nproc defaults (our hard limit, at most 1048576) unless `host` (--ulimit host).
std::vector<UlimitSpec> container_rlimits(const std::vector<UlimitSpec>& given, bool host);

// Real root only, before container_rlimits() and clone: raises dabba's own hard limits towards
// the given ones (and 1048576 for the defaults), so the child, which is in a new user namespace
// and cannot raise them, can set them. Best effort (a root without CAP_SYS_RESOURCE cannot:
// then the defaults stay at our hard limit and a given one fails in the child). Never lowers.
void raise_hard_limits(const std::vector<UlimitSpec>& given, bool host);

// Child side: setrlimit for each, in order. Throws Error naming the limit; a hard limit above the
// caller's gets a hint (only root may raise it).
void apply_rlimits(const std::vector<UlimitSpec>& limits);

// --oom-score-adj: writes value to PROC_DIR/oom_score_adj ("/proc/self", or a child's /proc/PID
// while it is still dumpable). Raising it is anyone's right; lowering it below the caller's needs
// CAP_SYS_RESOURCE in the host's user namespace: real root's runner writes it for its child (which
// is in a new user namespace), the rootless child itself. Throws Error{kPermission} naming the flag.
void set_oom_score_adj(const std::string& proc_dir, int value);

}  // namespace dabba::runner
