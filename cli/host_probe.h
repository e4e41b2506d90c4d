// What this host gives a rootless user, checked piece by piece for `dabba info`: each check is
// plain data (what was found, and how to fix it when it is missing), so info can print it as a
// list. The overlay check really mounts one, in a forked child inside its own user and mount
// namespaces, on the store's filesystem.
#pragma once

#include <string>
#include <vector>

namespace dabba::cli {

struct HostCheck {
  enum class Status { kOk, kMissing, kLimited };  // limited: works, some features need more
  std::string name;
  Status status = Status::kOk;
  std::string detail;  // what was found
  std::string fix;     // when not ok: what to do about it
};

// store_root: where layers will be unpacked (the overlay test runs on that filesystem).
std::vector<HostCheck> probe_host(const std::string& store_root);

}  // namespace dabba::cli
