// Cleaning of tar entry names before anything touches the disk: relative, no "..", no
// surprises. Symlinks inside the layer are dealt with later, by openat2(RESOLVE_BENEATH).
#pragma once

#include <string>
#include <string_view>

namespace dabba {

// "./usr//bin/./sh" -> "usr/bin/sh"; "./" or "." -> "" (the layer root). Throws
// Error{kCorrupt} for an absolute name, a ".." component or an empty name.
std::string clean_entry_path(std::string_view raw);

struct SplitPath {
  std::string parent;  // "" for the root
  std::string name;    // last component, never empty for a non-root path
};
SplitPath split_entry_path(const std::string& clean);

}  // namespace dabba
