#include "runner/path.h"

namespace dabba::runner {

std::vector<std::string> path_components(std::string_view path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    size_t start = i;
    while (i < path.size() && path[i] != '/') ++i;
    std::string_view part = path.substr(start, i - start);
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!out.empty()) out.pop_back();
      continue;
    }
    out.emplace_back(part);
  }
  return out;
}

std::string clean_path(std::string_view path) {
  std::string out;
  for (const auto& c : path_components(path)) {
    out += '/';
    out += c;
  }
  return out.empty() ? "/" : out;
}

}  // namespace dabba::runner
