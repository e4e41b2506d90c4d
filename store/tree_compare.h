// Internal (`check --deep`): how an unpacked layer directory differs from the one its blob gives
// when unpacked again. Both trees are walked side by side without following symlinks.
#pragma once

#include <string>
#include <vector>

namespace dabba {

struct TreeComparison {
  std::vector<std::string> differences;  // "PATH: what", at most the limit given
  size_t total = 0;                      // all differences found, listed or not
};

// have_fd: the stored layer; want_fd: the fresh unpack. A difference is a name only in one of
// them ("added" to have, "removed" from have), or one whose type, permissions, owner, device
// number, size, content, link target or extended attributes differ. Timestamps are not compared
// (the unpack sets them; nothing a container sees depends on a layer dir's atime).
TreeComparison compare_trees(int have_fd, int want_fd, size_t limit);

}  // namespace dabba
