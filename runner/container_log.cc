#include "runner/container_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <ctime>

#include "common/error.h"
#include "common/fs.h"
#include "runner/spec.h"
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

LogWriter::LogWriter(UniqueFd fd, std::optional<uint64_t> max_size)
    : fd_(std::move(fd)), max_size_(max_size) {
  struct stat st;
  if (max_size_ && fd_.valid() && ::fstat(fd_.get(), &st) == 0)
    size_ = static_cast<uint64_t>(st.st_size);
}

bool LogWriter::write(LogStream stream, std::string_view chunk) {
  if (!fd_.valid() || chunk.empty()) return true;
  timespec now;
  ::clock_gettime(CLOCK_REALTIME, &now);
  std::string records = format_log_records(stream, chunk, now);
  std::string_view rest = records;
  if (max_size_) {
    if (size_ + rest.size() > *max_size_ && ::ftruncate(fd_.get(), 0) == 0) size_ = 0;
    // A chunk bigger than the whole file: only its last records that fit (whole lines).
    if (rest.size() > *max_size_) {
      size_t from = rest.find('\n', rest.size() - *max_size_ - 1);
      rest.remove_prefix(from == std::string_view::npos ? rest.size() : from + 1);
    }
    size_ += rest.size();
  }
  while (!rest.empty()) {
    ssize_t n = ::write(fd_.get(), rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    rest.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

std::optional<LogWriter> open_container_log(const std::string& container_dir,
                                           const LogSpec& spec) {
  if (spec.driver != LogDriver::kK8sFile) return std::nullopt;
  make_log_dir(container_dir);
  const std::string own = container_log_path(container_dir);
  const std::string& path = spec.path.empty() ? own : spec.path;
  if (path != own) {
    ::unlink(own.c_str());
    DABBA_SYSCALL(::symlink(path.c_str(), own.c_str()), own);
  }
  int fd = DABBA_SYSCALL(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640),
                         "open the container's log " + path);
  return LogWriter(UniqueFd(fd), spec.max_size);
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
