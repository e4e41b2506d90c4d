#include "runner/rlimits.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "common/error.h"
#include "common/unique_fd.h"

namespace dabba::runner {
namespace {

struct Named {
  const char* name;
  int resource;
};
// go-units' names (what podman takes), and "as", which newer podman takes too.
constexpr Named kLimits[] = {
    {"as", RLIMIT_AS},           {"core", RLIMIT_CORE},         {"cpu", RLIMIT_CPU},
    {"data", RLIMIT_DATA},       {"fsize", RLIMIT_FSIZE},       {"locks", RLIMIT_LOCKS},
    {"memlock", RLIMIT_MEMLOCK}, {"msgqueue", RLIMIT_MSGQUEUE}, {"nice", RLIMIT_NICE},
    {"nofile", RLIMIT_NOFILE},   {"nproc", RLIMIT_NPROC},       {"rss", RLIMIT_RSS},
    {"rtprio", RLIMIT_RTPRIO},   {"rttime", RLIMIT_RTTIME},     {"sigpending", RLIMIT_SIGPENDING},
    {"stack", RLIMIT_STACK},
};

// podman's own default for nofile and nproc (and its cap for the raised ones).
constexpr uint64_t kDefaultMax = 1048576;

[[noreturn]] void bad_ulimit(const std::string& text, const std::string& why) {
  throw Error(Errc::kInvalidArgument,
              "ulimit option \"" + text + "\" requires name=SOFT:HARD, failed to be parsed: " + why,
              0, "e.g. --ulimit nofile=1024:2048, --ulimit core=-1 (unlimited), --ulimit host");
}

uint64_t parse_limit(const std::string& text, const std::string& value) {
  if (value == "-1" || value == "unlimited") return kUnlimited;
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(value.c_str(), &end, 10);
  if (value.empty() || *end != '\0' || errno == ERANGE || v < 0)
    bad_ulimit(text, "invalid value \"" + value + "\": give a number, or -1 for unlimited");
  return static_cast<uint64_t>(v);
}

std::string show(uint64_t v) { return v == kUnlimited ? "unlimited" : std::to_string(v); }

}  // namespace

int rlimit_resource(const std::string& name) {
  for (const Named& n : kLimits)
    if (name == n.name) return n.resource;
  return -1;
}

UlimitSpec parse_ulimit(const std::string& text) {
  auto eq = text.find('=');
  if (eq == std::string::npos) bad_ulimit(text, "invalid ulimit argument: " + text);
  UlimitSpec u;
  u.name = text.substr(0, eq);
  if (rlimit_resource(u.name) < 0) bad_ulimit(text, "invalid ulimit type: " + u.name);
  std::string values = text.substr(eq + 1);
  auto colon = values.find(':');
  if (colon != std::string::npos && values.find(':', colon + 1) != std::string::npos)
    bad_ulimit(text, "too many limit value arguments - " + values +
                         ", can only have up to two, `soft[:hard]`");
  u.soft = parse_limit(text, values.substr(0, colon));
  u.hard = colon == std::string::npos ? u.soft : parse_limit(text, values.substr(colon + 1));
  if (u.soft > u.hard)
    bad_ulimit(text, "ulimit soft limit must be less than or equal to hard limit: " + show(u.soft) +
                         " > " + show(u.hard));
  return u;
}

std::vector<UlimitSpec> container_rlimits(const std::vector<UlimitSpec>& given, bool host) {
  std::vector<UlimitSpec> out;
  for (const UlimitSpec& u : given) {
    auto same =
        std::find_if(out.begin(), out.end(), [&](const UlimitSpec& o) { return o.name == u.name; });
    if (same != out.end())
      *same = u;
    else
      out.push_back(u);
  }
  if (host) return out;
  for (const char* name : {"nofile", "nproc"}) {
    if (std::any_of(out.begin(), out.end(), [&](const UlimitSpec& o) { return o.name == name; }))
      continue;
    uint64_t value = kDefaultMax;
    struct rlimit current;
    if (::getrlimit(rlimit_resource(name), &current) == 0)
      value = std::min<uint64_t>(value, current.rlim_max);
    out.push_back({name, value, value});
  }
  return out;
}

void raise_hard_limits(const std::vector<UlimitSpec>& given, bool host) {
  std::vector<UlimitSpec> wanted = given;
  if (!host) {
    wanted.push_back({"nofile", kDefaultMax, kDefaultMax});
    wanted.push_back({"nproc", kDefaultMax, kDefaultMax});
  }
  for (const UlimitSpec& u : wanted) {
    int resource = rlimit_resource(u.name);
    struct rlimit current;
    if (resource < 0 || ::getrlimit(resource, &current) != 0 || current.rlim_max >= u.hard)
      continue;
    current.rlim_max = u.hard;
    // A failure (a kernel cap such as nr_open) is reported by the child, naming the limit.
    ::setrlimit(resource, &current);
  }
}

void apply_rlimits(const std::vector<UlimitSpec>& limits) {
  for (const UlimitSpec& u : limits) {
    int resource = rlimit_resource(u.name);
    if (resource < 0) throw Error(Errc::kInvalidArgument, "unknown ulimit type " + u.name);
    struct rlimit want = {u.soft, u.hard};
    if (::setrlimit(resource, &want) == 0) continue;
    int err = errno;
    struct rlimit current = {};
    ::getrlimit(resource, &current);
    std::string hint;
    if (err == EPERM && u.hard > current.rlim_max)
      hint = "the hard limit of " + u.name + " is " + show(current.rlim_max) +
             " here and dabba cannot raise it (that needs root's CAP_SYS_RESOURCE): give at most "
             "that";
    throw Error(errc_from_errno(err),
                "setting rlimit " + u.name + "=" + show(u.soft) + ":" + show(u.hard), err, hint);
  }
}

void set_oom_score_adj(const std::string& proc_dir, int value) {
  const std::string text = std::to_string(value);
  const std::string path = proc_dir + "/oom_score_adj";
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd.valid()) throw_errno("open " + path);
  if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    const int err = errno;
    throw Error(Errc::kPermission, "setting --oom-score-adj " + text, err,
                "a rootless container can only raise its OOM score: give a value at or above "
                "the caller's (cat /proc/self/oom_score_adj)");
  }
}

}  // namespace dabba::runner
