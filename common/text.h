// Small text helpers shared by every room. ASCII only on purpose: what they fold are protocol
// tokens (HTTP header names, auth schemes, registry hosts, platform names), never user text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

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

// The fields of text between each sep: "a,,b" is "a", "", "b"; "" is one empty field.
inline std::vector<std::string> split(std::string_view text, char sep) {
  std::vector<std::string> fields;
  size_t start = 0;
  for (;;) {
    size_t pos = text.find(sep, start);
    fields.emplace_back(text.substr(start, pos == std::string_view::npos ? pos : pos - start));
    if (pos == std::string_view::npos) return fields;
    start = pos + 1;
  }
}

// The lines of text without their '\n', as std::getline reads them: "a\n\nb\n" is "a", "", "b".
inline std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    lines.emplace_back(text.substr(at, end - at));
    at = end + 1;
  }
  return lines;
}

// text without its leading and trailing blanks (space, tab, CR, LF).
inline std::string trim(std::string_view text) {
  const size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return "";
  return std::string(text.substr(begin, text.find_last_not_of(" \t\r\n") - begin + 1));
}

}  // namespace dabba
