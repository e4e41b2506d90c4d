#include "runner/state.h"

#include <fcntl.h>
#include <unistd.h>

#include <sstream>

#include "common/error.h"
#include "common/fs.h"

namespace dabba::runner {

const char* container_status_name(ContainerStatus status) {
  switch (status) {
    case ContainerStatus::kCreated:
      return "created";
    case ContainerStatus::kRunning:
      return "running";
    case ContainerStatus::kExited:
      return "exited";
  }
  return "created";
}

std::string state_path(const std::string& container_dir) { return container_dir + "/state"; }
std::string log_dir(const std::string& container_dir) { return container_dir + "/logs"; }

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
      << "error=" << error << "\n";
  return out.str();
}

ContainerState parse_state(const std::string& text) {
  ContainerState s;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = line.substr(0, eq), value = line.substr(eq + 1);
    try {
      if (key == "status") {
        if (value == "running") s.status = ContainerStatus::kRunning;
        if (value == "exited") s.status = ContainerStatus::kExited;
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
      }
    } catch (const std::exception&) {
      throw Error(Errc::kCorrupt, "container state: bad value for " + key + ": '" + value + "'");
    }
  }
  return s;
}

void write_state(const std::string& container_dir, const ContainerState& state) {
  std::string path = state_path(container_dir);
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    UniqueFd fd = open_file(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    write_all(fd.get(), format_state(state));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw_errno("rename " + tmp + " to " + path, err);
  }
}

std::optional<ContainerState> read_state(const std::string& container_dir) {
  std::string text;
  if (!read_file_if_exists(state_path(container_dir), text)) return std::nullopt;
  return parse_state(text);
}

namespace {

struct ProcStat {
  char state = 0;           // field 3: R, S, D, Z (zombie), X (dead), ...
  uint64_t start_time = 0;  // field 22
};

// /proc/PID/stat's state and start time; start_time 0 when the process does not exist.
ProcStat read_proc_stat(pid_t pid) {
  ProcStat out;
  std::string text;
  try {
    if (!read_file_if_exists("/proc/" + std::to_string(pid) + "/stat", text)) return out;
  } catch (const Error&) {
    return out;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count after the last ')'.
  auto close = text.rfind(')');
  if (close == std::string::npos || close + 2 >= text.size()) return out;
  std::istringstream in(text.substr(close + 2));
  std::string field;
  for (int i = 3; i <= 22 && (in >> field); ++i) {
    if (i == 3) out.state = field[0];
    if (i == 22) out.start_time = std::stoull(field);
  }
  return out;
}

}  // namespace

uint64_t process_start_time(pid_t pid) { return read_proc_stat(pid).start_time; }

bool alive(const ContainerState& state) {
  if (state.status != ContainerStatus::kRunning || state.pid <= 0) return false;
  ProcStat now = read_proc_stat(state.pid);
  // A zombie has exited: its owner (or, once a killed supervisor's orphan is re-parented, the
  // host's init, which may reap late or never) just has not reaped it yet.
  if (now.state == 'Z' || now.state == 'X') return false;
  return now.start_time != 0 && now.start_time == state.pid_start_time;
}

}  // namespace dabba::runner
