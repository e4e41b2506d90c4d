// Lexical path helpers for paths inside a container (no filesystem access: the container's root
// is not mounted when these run).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace dabba::runner {

// Normalises an absolute path: collapses "//", removes "." and resolves ".." lexically (never
// above "/"). A relative path is taken relative to "/".
std::string clean_path(std::string_view path);

// The parts of path between slashes, as they are ("." and ".." kept): "a//./b/" -> {"a", ".", "b"}.
std::vector<std::string> split_path(std::string_view path);

// The components of a cleaned absolute path: "/a/b" -> {"a", "b"}, "/" -> {}.
std::vector<std::string> path_components(std::string_view path);

}  // namespace dabba::runner
