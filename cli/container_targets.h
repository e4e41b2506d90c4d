// Which containers a verb acts on, as podman's container verbs take them: names or ids typed,
// --all, --latest, --cidfile (a file holding one id, as `run --cidfile` writes it). One place so
// rm, stop, kill, wait, start and the rest read them alike and give the same usage errors.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "cli/cli11_fwd.h"
#include "store/store.h"

namespace dabba::cli {

struct TargetFlags {
  bool all = false;
  bool latest = false;
  bool ignore = false;  // -i/--ignore: a missing container is no error
  std::vector<std::string> cidfiles;
  std::vector<std::string> names;
};

// Registers -a/--all, -l/--latest, --cidfile and the positional containers; -i/--ignore when
// with_ignore (rm, stop).
void add_target_flags(CLI::App& app, TargetFlags& flags, bool with_ignore);

// What to act on, in order: the names typed, then the ids in the cidfiles, then (--all) every
// container's full id, or (--latest) the newest one's. Throws Error{kInvalidArgument} for no
// container at all or --all with names (podman's usage errors); a missing or unreadable cidfile
// is a kNotFound error unless --ignore.
std::vector<std::string> resolve_targets(const Store& store, const TargetFlags& flags);

// Runs fn(i) for i in [0, n) on up to max_threads threads (one when n is 1) and returns once all
// have run. fn must not throw. For the verbs that wait on many containers at once (stop -a,
// rm -a -f): their waits overlap instead of adding up.
void for_each_parallel(size_t n, size_t max_threads, const std::function<void(size_t)>& fn);
// Their threads: enough that `stop -a` of a few hundred containers waits one grace period, not
// one per 32 (each thread sleeps in poll on a pidfd; its stack is reserved, hardly touched).
constexpr size_t kMaxParallelStops = 256;

}  // namespace dabba::cli
