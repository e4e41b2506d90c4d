#include "common/proc_stat.h"

#include <cstdlib>
#include <cstring>
#include <string>

#include "common/error.h"
#include "common/fs.h"

namespace dabba {

std::optional<ProcStat> read_proc_stat(pid_t pid) {
  if (pid <= 0) return std::nullopt;
  std::string text;
  try {
    if (!read_file_if_exists("/proc/" + std::to_string(pid) + "/stat", text)) return std::nullopt;
  } catch (const Error&) {
    return std::nullopt;  // ESRCH: it went while we read
  }
  // Field 2 (the command name) is in parentheses and may hold spaces and parentheses itself:
  // count the fields after the last ')'.
  auto close = text.rfind(')');
  if (close == std::string::npos || close + 2 >= text.size()) return std::nullopt;
  ProcStat out;
  const char* p = text.c_str() + close + 2;
  out.state = *p;
  for (int field = 3; field < 22; ++field) {
    p = std::strchr(p, ' ');
    if (p == nullptr) return std::nullopt;
    ++p;
    if (field + 1 == 4) out.ppid = static_cast<pid_t>(std::strtol(p, nullptr, 10));
    if (field + 1 == 9) out.flags = static_cast<unsigned>(std::strtoul(p, nullptr, 10));
  }
  char* end = nullptr;
  out.start_time = std::strtoull(p, &end, 10);
  if (end == p) return std::nullopt;
  return out;
}

uint64_t process_start_time(pid_t pid) {
  std::optional<ProcStat> stat = read_proc_stat(pid);
  return stat && !stat->exited() ? stat->start_time : 0;
}

}  // namespace dabba
