// Internal: what a layer directory holds, counted the same way at ingest and at `check`, so a
// missing or truncated file shows as a difference.
#pragma once

#include <cstdint>

namespace dabba {

struct TreeStats {
  uint64_t entries = 0;  // names below the root (each hardlink name counts)
  uint64_t bytes = 0;    // sum of st_size of the regular files, per name
  bool operator==(const TreeStats&) const = default;
};

// Walks the tree under dir_fd without following symlinks.
TreeStats count_tree(int dir_fd);

}  // namespace dabba
