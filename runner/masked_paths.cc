#include "runner/masked_paths.h"

#include <fnmatch.h>

#include <algorithm>

#include "common/error.h"
#include "runner/path.h"

namespace dabba::runner {

const std::vector<std::string>& default_masked_paths() {
  static const std::vector<std::string> paths = {
      "/proc/acpi",       "/proc/kcore",         "/proc/keys",     "/proc/latency_stats",
      "/proc/timer_list", "/proc/timer_stats",   "/proc/sched_debug", "/proc/scsi",
      "/sys/firmware",    "/sys/fs/selinux",     "/sys/dev/block",
  };
  return paths;
}

const std::vector<std::string>& default_readonly_paths() {
  static const std::vector<std::string> paths = {
      "/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
  };
  return paths;
}

MaskedPaths masked_paths(bool privileged, const std::vector<std::string>& mask,
                         const std::vector<std::string>& unmask) {
  MaskedPaths out;
  if (privileged) out = MaskedPaths{{}, {}};
  for (const std::string& pattern : unmask) {
    if (pattern == "ALL") {
      out = MaskedPaths{{}, {}};
      continue;
    }
    auto matches = [&](const std::string& p) {
      return ::fnmatch(pattern.c_str(), p.c_str(), 0) == 0;
    };
    std::erase_if(out.masked, matches);
    std::erase_if(out.readonly, matches);
  }
  for (const std::string& p : mask) {
    if (p.empty() || p[0] != '/')
      throw Error(Errc::kInvalidArgument, "--security-opt mask=" + p + ": not an absolute path");
    std::string clean = clean_path(p);
    if (std::find(out.masked.begin(), out.masked.end(), clean) == out.masked.end())
      out.masked.push_back(clean);
  }
  return out;
}

}  // namespace dabba::runner
