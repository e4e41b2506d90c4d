// Minimal leveled logging to stderr, one line per message, in podman's (logrus's) text format:
// `time="2026-12-05T02:53:18Z" level=warning msg="..."`, or `WARN[0003] ...` (seconds since the
// start, coloured) when stderr is a terminal, so scripts and eyes used to podman read it alike.
#pragma once

#include <string>
#include <string_view>

namespace dabba {

enum class LogLevel { kError = 0, kWarn = 1, kInfo = 2, kDebug = 3, kTrace = 4 };

void set_log_level(LogLevel level);
LogLevel log_level();
// Parses "error|warn|info|debug|trace" and logrus's other names (warning, fatal, panic); throws
// Error{kInvalidArgument} otherwise.
LogLevel parse_log_level(std::string_view name);
// The name parse_log_level reads back ("error", "warn", "info", "debug", "trace").
const char* log_level_name(LogLevel level);
inline bool log_enabled(LogLevel level) { return level <= log_level(); }

void log_message(LogLevel level, std::string_view message);

// While a display owns the terminal (progress lines redrawn in place), log lines must go through
// it, or a warning printed between two redraws pushes its lines down and leaves a stale copy on
// the screen. sink gets the whole line (with its "\n"); nullptr restores stderr. Calls
// are serialised; the sink must not log.
using LogSink = void (*)(void* context, std::string_view line);
void set_log_sink(LogSink sink, void* context);
inline void log_error(std::string_view m) { log_message(LogLevel::kError, m); }
inline void log_warn(std::string_view m) { log_message(LogLevel::kWarn, m); }
inline void log_info(std::string_view m) { log_message(LogLevel::kInfo, m); }
inline void log_debug(std::string_view m) { log_message(LogLevel::kDebug, m); }
inline void log_trace(std::string_view m) { log_message(LogLevel::kTrace, m); }

// The line log_message writes, for a terminal or not (exposed for tests). seconds is the time
// since the start, time_text the RFC 3339 time.
std::string format_log_line(LogLevel level, std::string_view message, bool terminal, long seconds,
                            std::string_view time_text);

}  // namespace dabba
