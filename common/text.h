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

}  // namespace dabba
