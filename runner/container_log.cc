#include "runner/container_log.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <ctime>

#include "runner/state.h"

namespace dabba::runner {
namespace {

std::string rfc3339_nano(const timespec& now) {
  struct tm tm;
  ::gmtime_r(&now.tv_sec, &tm);
  char buf[64];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%09ldZ", static_cast<long>(now.tv_nsec));
  return buf;
}

}  // namespace

std::string container_log_path(const std::string& container_dir) {
  return log_dir(container_dir) + "/ctr.log";
}

std::string format_log_records(LogStream stream, std::string_view chunk, const timespec& now) {
  const std::string prefix =
      rfc3339_nano(now) + (stream == LogStream::kStdout ? " stdout " : " stderr ");
  std::string out;
  out.reserve(chunk.size() + 64);
  while (!chunk.empty()) {
    size_t nl = chunk.find('\n');
    bool full = nl != std::string_view::npos;
    std::string_view line = chunk.substr(0, full ? nl : chunk.size());
    out += prefix;
    out += full ? "F " : "P ";
    out += line;
    out += '\n';
    chunk.remove_prefix(full ? nl + 1 : chunk.size());
  }
  return out;
}

bool LogWriter::write(LogStream stream, std::string_view chunk) {
  if (!fd_.valid() || chunk.empty()) return true;
  timespec now;
  ::clock_gettime(CLOCK_REALTIME, &now);
  std::string records = format_log_records(stream, chunk, now);
  std::string_view rest = records;
  while (!rest.empty()) {
    ssize_t n = ::write(fd_.get(), rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    rest.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

std::optional<LogRecord> parse_log_record(std::string_view line) {
  LogRecord r;
  size_t sp = line.find(' ');
  if (sp == std::string_view::npos || sp == 0) return std::nullopt;
  r.time = line.substr(0, sp);
  line.remove_prefix(sp + 1);
  if (line.substr(0, 7) == "stdout ")
    r.stream = LogStream::kStdout;
  else if (line.substr(0, 7) == "stderr ")
    r.stream = LogStream::kStderr;
  else
    return std::nullopt;
  line.remove_prefix(7);
  if (line.size() < 1 || (line[0] != 'F' && line[0] != 'P')) return std::nullopt;
  r.partial = line[0] == 'P';
  line.remove_prefix(1);
  if (!line.empty()) {
    if (line[0] != ' ') return std::nullopt;
    line.remove_prefix(1);
  }
  r.text = line;
  return r;
}

}  // namespace dabba::runner
