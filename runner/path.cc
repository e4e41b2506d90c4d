#include "runner/path.h"

#include <utility>

namespace dabba::runner {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    size_t start = i;
    while (i < path.size() && path[i] != '/') ++i;
    if (i > start) out.emplace_back(path.substr(start, i - start));
  }
  return out;
}

std::vector<std::string> path_components(std::string_view path) {
  std::vector<std::string> out;
  for (std::string& part : split_path(path)) {
    if (part == ".") continue;
    if (part == "..") {
      if (!out.empty()) out.pop_back();
      continue;
    }
    out.push_back(std::move(part));
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
