// Small text helpers shared by every room. ASCII only on purpose: what they fold are protocol
// tokens (HTTP header names, auth schemes, registry hosts, platform names), never user text.
#pragma once

#include <string>
#include <string_view>

namespace dabba {

// A-Z -> a-z; every other byte as it is.
inline std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// podman's rule for volume names, [a-zA-Z0-9][a-zA-Z0-9_.-]* (also safe as a directory name).
inline bool is_volume_name(std::string_view name) {
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (name.empty() || name.size() > 255 || !alnum(name[0])) return false;
  for (char c : name)
    if (!alnum(c) && c != '_' && c != '.' && c != '-') return false;
  return true;
}

}  // namespace dabba
