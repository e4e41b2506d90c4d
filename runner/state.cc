#include "runner/state.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <sstream>
#include <thread>
#include <utility>

#include "common/enum_names.h"
#include "common/error.h"
#include "common/exit_codes.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/text.h"
#include "runner/container.h"
#include "runner/spec_codec.h"

namespace dabba::runner {

namespace {

// The status words of the state file, inspect and ps.
constexpr EnumName<ContainerStatus> kStatusNames[] = {{ContainerStatus::kCreated, "created"},
                                                      {ContainerStatus::kRunning, "running"},
                                                      {ContainerStatus::kExited, "exited"}};

}  // namespace

const char* container_status_name(ContainerStatus status) {
  return name_of(kStatusNames, status, "created").data();
}

std::string state_path(const std::string& container_dir) { return container_dir + "/state"; }
std::string log_dir(const std::string& container_dir) { return container_dir + "/logs"; }

std::string make_log_dir(const std::string& container_dir) {
  std::string dir = log_dir(container_dir);
  make_dirs(dir, 0750);
  return dir;
}

void write_pidfile(const std::string& path, pid_t pid) noexcept {
  if (path.empty()) return;
  try {
    write_file_atomic(path, std::to_string(pid), Sync::kNone);
  } catch (const std::exception& e) {
    log_warn(std::string("--pidfile: ") + e.what());
  }
}

std::string format_state(const ContainerState& s) {
  std::string cgroups;
  for (const auto& c : s.cgroups) cgroups += (cgroups.empty() ? "" : ":") + c;
  std::string error = s.error;
  for (char& c : error)
    if (c == '\n') c = ' ';
  std::ostringstream out;
  out << "status=" << container_status_name(s.status) << "\n"
      << "pid=" << s.pid << "\n"
      << "pid_start_time=" << s.pid_start_time << "\n"
      << "supervisor_pid=" << s.supervisor_pid << "\n"
      << "exit_code=" << s.exit_code << "\n"
      << "oom_killed=" << (s.oom_killed ? 1 : 0) << "\n"
      << "started_at=" << s.started_at << "\n"
      << "finished_at=" << s.finished_at << "\n"
      << "cgroups=" << cgroups << "\n"
      << "error=" << error << "\n"
      << "restart_count=" << s.restart_count << "\n";
  return out.str();
}

ContainerState parse_state(const std::string& text) {
  ContainerState s;
  for (const std::string& line : split_lines(text)) {
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = line.substr(0, eq), value = line.substr(eq + 1);
    try {
      if (key == "status") {
        s.status = value_of(kStatusNames, value).value_or(ContainerStatus::kCreated);
      } else if (key == "pid") {
        s.pid = std::stoi(value);
      } else if (key == "pid_start_time") {
        s.pid_start_time = std::stoull(value);
      } else if (key == "supervisor_pid") {
        s.supervisor_pid = std::stoi(value);
      } else if (key == "exit_code") {
        s.exit_code = std::stoi(value);
      } else if (key == "oom_killed") {
        s.oom_killed = value == "1";
      } else if (key == "started_at") {
        s.started_at = std::stoll(value);
      } else if (key == "finished_at") {
        s.finished_at = std::stoll(value);
      } else if (key == "cgroups") {
        size_t start = 0;
        while (start < value.size()) {
          auto colon = value.find(':', start);
          s.cgroups.push_back(value.substr(start, colon - start));
          if (colon == std::string::npos) break;
          start = colon + 1;
        }
      } else if (key == "error") {
        s.error = value;
      } else if (key == "restart_count") {
        s.restart_count = static_cast<unsigned>(std::stoul(value));
      }
    } catch (const std::exception&) {
      throw Error(Errc::kCorrupt, "container state: bad value for " + key + ": '" + value + "'");
    }
  }
  return s;
}

namespace {

int64_t now_seconds() { return static_cast<int64_t>(::time(nullptr)); }

void write_state(const std::string& container_dir, const ContainerState& state,
                 Sync sync = Sync::kNone) {
  write_file_atomic(state_path(container_dir), format_state(state), sync);
}

}  // namespace

StateOwner::StateOwner(std::string container_dir, OnExit on_exit, unsigned restarts)
    : dir_(std::move(container_dir)), on_exit_(std::move(on_exit)) {
  state_.supervisor_pid = ::getpid();
  state_.restart_count = restarts;
}

void StateOwner::running(const ContainerProcess& container) {
  before_running_ = state_;
  exec_pending_ = true;
  state_.status = ContainerStatus::kRunning;
  state_.pid = container.pid();
  state_.pid_start_time = process_start_time(container.pid());
  state_.started_at = now_seconds();
  state_.cgroups = container.cgroup_dirs();
  // The first start of a container meant to be started again (it has a saved spec) is flushed:
  // after a power cut it must read as one that ran (exited, as podman's after a reboot), not as
  // one never started. Later states describe live processes, which a power cut ends anyway.
  const bool first_start = !path_exists(state_path(dir_)) && path_exists(spec_path(dir_));
  write_state(dir_, state_, first_start ? Sync::kDurable : Sync::kNone);
}

void StateOwner::start_failed(const std::exception& e) noexcept {
  const auto* exec = dynamic_cast<const ExecError*>(&e);
  // running() came before the exec failed: no pid or start time of a workload that never ran.
  if (exec_pending_) state_ = before_running_;
  exec_pending_ = false;
  state_.status = ContainerStatus::kExited;
  state_.exit_code = exec ? exec->exit_code() : kExitDabbaFailed;
  state_.error = e.what();
  record_end("the failed start");
}

void StateOwner::exited(const ExitStatus& status, bool oom_killed, bool timed_out) noexcept {
  if (oom_killed)
    log_warn("the kernel killed a process of the container for going over its --memory limit");
  state_.status = ContainerStatus::kExited;
  state_.exit_code = timed_out ? -1 : status.code();
  state_.oom_killed = oom_killed;
  record_end("the container's exit");
}

void StateOwner::record_end(const char* what) noexcept {
  state_.finished_at = now_seconds();
  if (on_exit_.removes_container) return;
  try {
    write_state(dir_, state_);
  } catch (const std::exception& e) {
    log_warn(std::string("could not record ") + what + ": " + e.what());
  }
}

void StateOwner::run_on_exit() noexcept {
  OnExit on_exit = std::exchange(on_exit_, {});
  if (!on_exit.run) return;
  try {
    on_exit.run(state_);
  } catch (const std::exception& e) {
    log_error(std::string("after the container exited: ") + e.what());
  }
}

std::optional<ContainerState> read_state(const std::string& container_dir) {
  std::string text;
  if (!read_file_if_exists(state_path(container_dir), text)) return std::nullopt;
  return parse_state(text);
}

bool alive(const ContainerState& state) {
  if (state.status != ContainerStatus::kRunning || state.pid <= 0) return false;
  // 0 for a zombie too: it has exited, its owner (or, once a killed supervisor's orphan is
  // re-parented, the host's init, which may reap late or never) just has not reaped it yet.
  uint64_t now = process_start_time(state.pid);
  return now != 0 && now == state.pid_start_time;
}

bool supervisor_alive(const std::string& container_dir, const ContainerState& state) {
  if (state.supervisor_pid <= 0) return false;
  std::string cmdline;
  try {
    if (!read_file_if_exists("/proc/" + std::to_string(state.supervisor_pid) + "/cmdline", cmdline))
      return false;
  } catch (const Error&) {
    return false;  // gone while read
  }
  const std::string id = container_dir.substr(container_dir.rfind('/') + 1);
  return cmdline.rfind("dabba-supervise " + id, 0) == 0;
}

std::optional<ContainerState> read_settled_state(const std::string& container_dir) {
  std::optional<ContainerState> state = read_state(container_dir);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (state && state->status == ContainerStatus::kRunning && !alive(*state) &&
         supervisor_alive(container_dir, *state) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    state = read_state(container_dir);
  }
  return state;
}

}  // namespace dabba::runner
