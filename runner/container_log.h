// A detached container's log, in podman's k8s-file format (what conmon writes and `podman logs`
// reads): one record per line,
//
//   2024-05-01T12:00:00.123456789Z stdout F a whole line
//   2024-05-01T12:00:00.123456789Z stderr P the start of a line its chunk cut, ...
//   2024-05-01T12:00:00.223456789Z stderr F ... and its end
//
// RFC 3339 time with nanoseconds (UTC), the stream, F for a line that ended (its newline is not
// written) or P for a partial one, and the text. Only dabba writes it (the supervisor, through
// io_relay.h): the container holds no fd of it, so it can neither truncate nor forge it; a line it
// prints that looks like a record is text inside a record of ours. The file is
// <container_dir>/logs/ctr.log.
#pragma once

#include <time.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/unique_fd.h"

namespace dabba::runner {

enum class LogStream { kStdout, kStderr };

std::string container_log_path(const std::string& container_dir);

// The records for one chunk read from `stream` at time `now`.
std::string format_log_records(LogStream stream, std::string_view chunk, const timespec& now);

// Appends records to an O_APPEND fd, one write per chunk. With a max_size (--log-opt max-size),
// a file that would grow past it starts over empty, as conmon's k8s-file log does.
class LogWriter {
 public:
  explicit LogWriter(UniqueFd fd, std::optional<uint64_t> max_size = std::nullopt);
  // False when the write failed (a full disk): those lines are lost, the container goes on.
  bool write(LogStream stream, std::string_view chunk);

 private:
  UniqueFd fd_;
  std::optional<uint64_t> max_size_;
  uint64_t size_ = 0;  // what the file holds, kept only with max_size_
};

struct LogSpec;
// The log a container's --log-driver keeps (nullopt: none, or passthrough), opened for appending:
// the file under the container's directory, or --log-opt path= with a link to it from there (so
// `logs` finds it in one place). Makes the log directory.
std::optional<LogWriter> open_container_log(const std::string& container_dir, const LogSpec& spec);

struct LogRecord {
  std::string_view time;  // as written
  LogStream stream = LogStream::kStdout;
  bool partial = false;  // P: no newline after text
  std::string_view text;
};

// One line of the file, without its newline; nullopt for a line that is no record.
std::optional<LogRecord> parse_log_record(std::string_view line);

}  // namespace dabba::runner
