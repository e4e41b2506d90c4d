// --restart (podman-run(1)): what the owner of a container (the foreground `run`, or the -d
// supervisor) does when its PID 1 exits. `no` (the default): nothing; `on-failure[:N]`: start it
// again after a non-zero exit, at most N times (0 = no limit); `always` and `unless-stopped` (the
// same in podman): after every exit. A container that `stop`, `kill` or `rm -f` ended is not
// started again: they leave a stop request in its directory first, and the next `start` by the
// user takes it away.
//
// Unlike podman 4.3, which restarts at once, each restart waits a little (restart_delay): a
// workload that exits at once would otherwise make its supervisor a busy loop.
#pragma once

#include <chrono>
#include <string>

namespace dabba::runner {

enum class RestartKind { kNo, kOnFailure, kAlways, kUnlessStopped };

struct RestartPolicy {
  RestartKind kind = RestartKind::kNo;
  bool given = false;        // the user named a policy (podman's inspect shows "" otherwise)
  unsigned max_retries = 0;  // on-failure's N; 0 = no limit
  bool operator==(const RestartPolicy&) const = default;
};

// podman's syntax and errors ("" is no policy). Throws Error{kInvalidArgument}.
RestartPolicy parse_restart_policy(const std::string& text);
// As podman's inspect names it: "" when none was given, else no, on-failure, always,
// unless-stopped.
std::string restart_policy_name(const RestartPolicy& policy);
// The text parse_restart_policy reads back ("on-failure:3").
std::string format_restart_policy(const RestartPolicy& policy);

// Whether a container that exited with exit_code, restarted `restarts` times so far, starts again
// (the stop request aside).
bool restart_wanted(const RestartPolicy& policy, int exit_code, unsigned restarts);
// How long the owner waits before restart number restarts+1: 100 ms, doubling, at most 1 s.
std::chrono::milliseconds restart_delay(unsigned restarts);

// stop/kill/rm -f: the container is not to be restarted. Never throws (a failure is logged).
void request_stop(const std::string& container_dir) noexcept;
bool stop_requested(const std::string& container_dir);
// A start by the user: the policy applies again.
void clear_stop_request(const std::string& container_dir) noexcept;

}  // namespace dabba::runner
