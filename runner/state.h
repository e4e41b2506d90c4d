// A container's runtime state, kept in <container_dir>/state by whoever owns the container (the
// detached supervisor) and read by `ps`, `stop`, `logs`, `exec`. One small key=value file,
// replaced atomically (rename), so a reader never sees half of it; not fsynced (it describes
// processes, which a power loss ends anyway: alive() tells a stale "running" apart).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/proc_stat.h"

namespace dabba::runner {

enum class ContainerStatus { kCreated, kRunning, kExited };
const char* container_status_name(ContainerStatus status);

struct ContainerState {
  ContainerStatus status = ContainerStatus::kCreated;
  pid_t pid = 0;                // the container's PID 1, as the host sees it
  uint64_t pid_start_time = 0;  // its start time (/proc/PID/stat field 22): a recycled pid differs
  pid_t supervisor_pid = 0;
  int exit_code = -1;  // kExited: 0..255, 128+N for signal N
  bool oom_killed = false;
  int64_t started_at = 0;            // unix seconds
  int64_t finished_at = 0;           // unix seconds
  std::vector<std::string> cgroups;  // the container's cgroup dirs (for `exec` to join)
  std::string error;                 // a start that failed: the message
  bool operator==(const ContainerState&) const = default;
};

std::string state_path(const std::string& container_dir);
// <container_dir>/logs: stdout, stderr of a detached container, supervisor.log, and (networking)
// the helpers' logs.
std::string log_dir(const std::string& container_dir);

void write_state(const std::string& container_dir, const ContainerState& state);
// nullopt when there is no state file (never started).
std::optional<ContainerState> read_state(const std::string& container_dir);
std::string format_state(const ContainerState& state);
ContainerState parse_state(const std::string& text);

// True when state says running and its PID 1 is still that process, and not a zombie.
bool alive(const ContainerState& state);

}  // namespace dabba::runner
