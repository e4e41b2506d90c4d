#include "common/log.h"

#include <unistd.h>

#include <atomic>
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
  // podman's (logrus) names too: trace is our debug, fatal and panic our error.
  if (name == "error" || name == "fatal" || name == "panic") return LogLevel::kError;
  if (name == "warn" || name == "warning") return LogLevel::kWarn;
  if (name == "info") return LogLevel::kInfo;
  if (name == "debug" || name == "trace") return LogLevel::kDebug;
  throw Error(Errc::kInvalidArgument, "unknown log level '" + std::string(name) + "'", 0,
              "use one of: error, warn, info, debug");
}

const char* log_level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kError: return "error";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kInfo: return "info";
    case LogLevel::kDebug: return "debug";
  }
  return "warn";
}

void log_message(LogLevel level, std::string_view message) {
  if (!log_enabled(level)) return;
  static constexpr const char* kPrefix[] = {"error: ", "warning: ", "", "debug: "};
  std::string line = "dabba: ";
  line += kPrefix[static_cast<int>(level)];
  line += message;
  line += '\n';
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
