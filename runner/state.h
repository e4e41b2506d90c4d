// A container's runtime state, kept in <container_dir>/state by the process that owns the
// container (StateOwner: the foreground `dabba run`, or the -d supervisor) and read by `ps`,
// `stop`, `logs`, `exec`. One small key=value file, replaced atomically (rename), so a reader never
// sees half of it; not fsynced (it describes processes, which a power loss ends anyway: alive()
// tells a stale "running" apart).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/child_process.h"
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
  unsigned restart_count = 0;        // restarts by the --restart policy since the user's start
  bool operator==(const ContainerState&) const = default;
};

std::string state_path(const std::string& container_dir);
// <container_dir>/logs: stdout, stderr of a detached container, supervisor.log, and (networking)
// the helpers' logs.
std::string log_dir(const std::string& container_dir);
// log_dir, made (0750) if missing.
std::string make_log_dir(const std::string& container_dir);
// --pidfile: the workload's pid written to path (nothing when path is ""); a failure is a warning,
// the container runs on.
void write_pidfile(const std::string& path, pid_t pid) noexcept;

// What the owner does once the container is over (the CLI's --rm: remove its record and its
// directory). In the -d supervisor, a forked process, it must not use anything the caller had
// open (LMDB environments included).
struct OnExit {
  std::function<void(const ContainerState&)> run;
  // run removes the container: its end is then not written to the state file, which is about to
  // go. (It would cost more than nothing: a file replaced by rename and unlinked right after makes
  // ext4 start its writeback and then wait for it, milliseconds of every `run --rm`.)
  bool removes_container = false;
};

class ContainerProcess;

// The one writer of a container's state file, used by the owner of the container from its start
// to its end (runner/run.h in the foreground, runner/supervisor.h detached), so both paths record
// the same things in the same order: running (pid, start time, cgroups), then the exit (code,
// oom) or a failed start (125/126/127 and the message, as `ps -a` shows "Exited (127)").
class StateOwner {
 public:
  // This process owns the container (state().supervisor_pid); restarts: how often the policy has
  // restarted it already (a foreground run's owner hands over to a supervisor).
  StateOwner(std::string container_dir, OnExit on_exit, unsigned restarts = 0);

  // The container's first process is set up and its workload about to exec (start_container's
  // before_exec). Throws Error when the state cannot be written.
  void running(const ContainerProcess& container);
  // start_container returned: the workload exec'd.
  void started() noexcept { exec_pending_ = false; }
  // The start failed with e (an ExecError's code, else 125), also after running() but before
  // started(): what running() recorded of a workload that never ran is dropped. Never throws.
  void start_failed(const std::exception& e) noexcept;
  // PID 1 exited (oom: the OOM killer struck in its memory cgroup, which is also logged). A
  // failure to write is logged, not thrown: the container is over either way.
  // timed_out: --timeout killed it; the state records -1, as podman's.
  void exited(const ExitStatus& status, bool oom_killed, bool timed_out = false) noexcept;
  // (Neither end is written when on_exit removes the container.)
  // The --restart policy starts it again: counted (running() records it).
  void restarting() noexcept { ++state_.restart_count; }
  // After either end: on_exit, once (its errors logged).
  void run_on_exit() noexcept;

  const ContainerState& state() const { return state_; }

 private:
  // Stamps the end and writes it (unless on_exit removes the container); a failure is logged as
  // "could not record <what>".
  void record_end(const char* what) noexcept;

  std::string dir_;
  OnExit on_exit_;
  ContainerState state_;
  ContainerState before_running_;  // state_ as running() found it
  bool exec_pending_ = false;       // between running() and started()
};

// nullopt when there is no state file (never started).
std::optional<ContainerState> read_state(const std::string& container_dir);
std::string format_state(const ContainerState& state);
ContainerState parse_state(const std::string& text);

// True when state says running and its PID 1 is still that process, and not a zombie.
bool alive(const ContainerState& state);
// True when the container's supervisor still runs (state.supervisor_pid, told from a recycled pid
// by its title "dabba-supervise <id>", the id being container_dir's name): between two runs of a
// --restart policy, the container is not alive() but its owner waits to start it again.
bool supervisor_alive(const std::string& container_dir, const ContainerState& state);
// read_state, but a container whose PID 1 has just died while its supervisor lives is read again
// (for at most a second) until the supervisor has recorded the exit: so an inspect right after
// the death sees the exit code, not a running record of a dead process.
std::optional<ContainerState> read_settled_state(const std::string& container_dir);

}  // namespace dabba::runner
