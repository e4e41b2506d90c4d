// The paths of /proc and /sys a container must not see or change, as podman's defaults
// (containers/common): masked ones are hidden (a file under /dev/null, a directory under an empty
// read-only tmpfs), read-only ones are bound read-only over themselves. Paths the kernel does not
// have are skipped at mount time. `--security-opt mask=P1:P2` adds masks, `unmask=ALL` or
// `unmask=P1:P2` (shell patterns: /proc/*) removes masks and read-only paths, `--privileged`
// starts from none (mask= still applies), all as podman does.
#pragma once

#include <string>
#include <vector>

namespace dabba::runner {

const std::vector<std::string>& default_masked_paths();
const std::vector<std::string>& default_readonly_paths();

struct MaskedPaths {
  std::vector<std::string> masked = default_masked_paths();
  std::vector<std::string> readonly = default_readonly_paths();
  bool operator==(const MaskedPaths&) const = default;
};

// From the defaults (none with privileged): adds `mask` (absolute paths), removes what `unmask`
// matches ("ALL", or fnmatch patterns). Throws Error{kInvalidArgument} for a relative path.
MaskedPaths masked_paths(bool privileged, const std::vector<std::string>& mask,
                         const std::vector<std::string>& unmask);

}  // namespace dabba::runner
