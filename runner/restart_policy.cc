#include "runner/restart_policy.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>

#include "common/enum_names.h"
#include "common/error.h"
#include "common/log.h"

namespace dabba::runner {
namespace {

std::string stop_request_path(const std::string& container_dir) {
  return container_dir + "/stop-requested";
}

// --restart's policy names, podman's.
constexpr EnumName<RestartKind> kKindNames[] = {{RestartKind::kNo, "no"},
                                                {RestartKind::kOnFailure, "on-failure"},
                                                {RestartKind::kAlways, "always"},
                                                {RestartKind::kUnlessStopped, "unless-stopped"}};

}  // namespace

RestartPolicy parse_restart_policy(const std::string& text) {
  RestartPolicy p;
  if (text.empty()) return p;
  p.given = true;
  const auto colon = text.find(':');
  const std::optional<RestartKind> kind = value_of(kKindNames, text.substr(0, colon));
  if (!kind)
    throw Error(Errc::kInvalidArgument, "\"" + text + "\" is not a valid restart policy", 0,
                "use no, on-failure[:max_retries], always or unless-stopped");
  p.kind = *kind;
  if (colon == std::string::npos) return p;
  if (p.kind != RestartKind::kOnFailure)
    throw Error(Errc::kInvalidArgument,
                "restart policy retries can only be specified with on-failure restart policy");
  const std::string count = text.substr(colon + 1);
  long long n = 0;
  const auto [end, ec] = std::from_chars(count.data(), count.data() + count.size(), n);
  if (ec != std::errc() || end != count.data() + count.size() || count.empty())
    throw Error(Errc::kInvalidArgument,
                "parsing restart policy retry count: \"" + count + "\" is not a number");
  if (n < 0 || n > 1'000'000'000)
    throw Error(Errc::kInvalidArgument,
                "must specify restart policy retry count as a number greater than 0");
  p.max_retries = static_cast<unsigned>(n);
  return p;
}

std::string restart_policy_name(const RestartPolicy& p) {
  return p.given ? std::string(name_of(kKindNames, p.kind)) : "";
}

std::string format_restart_policy(const RestartPolicy& p) {
  std::string text = restart_policy_name(p);
  if (p.kind == RestartKind::kOnFailure && p.max_retries > 0)
    text += ":" + std::to_string(p.max_retries);
  return text;
}

bool restart_wanted(const RestartPolicy& p, int exit_code, unsigned restarts) {
  switch (p.kind) {
    case RestartKind::kNo:
      return false;
    case RestartKind::kOnFailure:
      return exit_code != 0 && (p.max_retries == 0 || restarts < p.max_retries);
    case RestartKind::kAlways:
    case RestartKind::kUnlessStopped:
      return true;
  }
  return false;
}

std::chrono::milliseconds restart_delay(unsigned restarts) {
  const unsigned shift = std::min(restarts, 4u);  // 100, 200, 400, 800, then 1000 ms
  return std::chrono::milliseconds(std::min(100u << shift, 1000u));
}

void request_stop(const std::string& container_dir) noexcept {
  const std::string path = stop_request_path(container_dir);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    // A container whose directory is gone has nothing left to restart.
    if (errno != ENOENT) log_warn("could not record the stop request in " + path);
    return;
  }
  ::close(fd);
}

bool stop_requested(const std::string& container_dir) {
  return ::access(stop_request_path(container_dir).c_str(), F_OK) == 0;
}

void clear_stop_request(const std::string& container_dir) noexcept {
  ::unlink(stop_request_path(container_dir).c_str());
}

}  // namespace dabba::runner
