#include "common/log.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <string>

#include "common/error.h"

namespace dabba {
namespace {
std::atomic<LogLevel> g_level{LogLevel::kWarn};

std::mutex& sink_mutex() {
  static std::mutex* m = new std::mutex;  // never destroyed: logging may outlive statics
  return *m;
}
LogSink g_sink = nullptr;
void* g_sink_context = nullptr;
}

void set_log_sink(LogSink sink, void* context) {
  std::lock_guard lock(sink_mutex());
  g_sink = sink;
  g_sink_context = context;
}

void set_log_level(LogLevel level) { g_level.store(level); }
LogLevel log_level() { return g_level.load(std::memory_order_relaxed); }

LogLevel parse_log_level(std::string_view name) {
  // podman's (logrus) names too: fatal and panic are our error.
  if (name == "error" || name == "fatal" || name == "panic") return LogLevel::kError;
  if (name == "warn" || name == "warning") return LogLevel::kWarn;
  if (name == "info") return LogLevel::kInfo;
  if (name == "debug") return LogLevel::kDebug;
  if (name == "trace") return LogLevel::kTrace;
  throw Error(Errc::kInvalidArgument, "unknown log level '" + std::string(name) + "'", 0,
              "use one of: error, warn, info, debug, trace");
}

const char* log_level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kError: return "error";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kInfo: return "info";
    case LogLevel::kDebug: return "debug";
    case LogLevel::kTrace: return "trace";
  }
  return "warn";
}

namespace {

// logrus quotes a value with any byte outside [A-Za-z0-9-._/@^+], as Go's %q does.
void append_logfmt_value(std::string& out, std::string_view v) {
  auto plain = [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '/' || c == '@' ||
           c == '^' || c == '+';
  };
  if (std::all_of(v.begin(), v.end(), plain)) {
    out += v;
    return;
  }
  out += '"';
  for (unsigned char c : v) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char hex[5];
          std::snprintf(hex, sizeof hex, "\\x%02x", c);
          out += hex;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

std::string rfc3339_now() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm {};
  ::localtime_r(&ts.tv_sec, &tm);
  char text[64];
  size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out(text, n);
  long off = tm.tm_gmtoff;
  if (off == 0) return out + "Z";
  char zone[40];
  std::snprintf(zone, sizeof zone, "%c%02ld:%02ld", off < 0 ? '-' : '+', std::labs(off) / 3600,
                (std::labs(off) % 3600) / 60);
  return out + zone;
}

const std::chrono::steady_clock::time_point g_start = std::chrono::steady_clock::now();

}  // namespace

std::string format_log_line(LogLevel level, std::string_view message, bool terminal,
                            long seconds, std::string_view time_text) {
  // logrus's names and colours
  static constexpr const char* kName[] = {"error", "warning", "info", "debug", "trace"};
  static constexpr const char* kShort[] = {"ERRO", "WARN", "INFO", "DEBU", "TRAC"};
  static constexpr int kColour[] = {31, 33, 36, 37, 37};
  const int i = static_cast<int>(level);
  if (message.ends_with('\n')) message.remove_suffix(1);
  std::string line;
  if (terminal) {
    char head[64];
    std::snprintf(head, sizeof head, "\x1b[%dm%s\x1b[0m[%04ld] ", kColour[i], kShort[i], seconds);
    line = head;
    line += message;
  } else {
    line = "time=\"";
    line += time_text;
    line += "\" level=";
    line += kName[i];
    line += " msg=";
    append_logfmt_value(line, message);
  }
  line += '\n';
  return line;
}

void log_message(LogLevel level, std::string_view message) {
  if (!log_enabled(level)) return;
  static const bool terminal = ::isatty(STDERR_FILENO) == 1;
  const long seconds = static_cast<long>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - g_start)
          .count());
  const std::string line =
      format_log_line(level, message, terminal, seconds, terminal ? "" : rfc3339_now());
  {
    std::lock_guard lock(sink_mutex());
    if (g_sink != nullptr) {
      g_sink(g_sink_context, line);
      return;
    }
  }
  // One write() so lines from several threads or processes do not interleave.
  ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
}

}  // namespace dabba
