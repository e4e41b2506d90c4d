#include "store/unpack/entry_path.h"

#include "common/error.h"

namespace dabba {

std::string clean_entry_path(std::string_view raw) {
  auto refuse = [&](const char* why) {
    throw Error(Errc::kCorrupt,
                "unsafe entry name '" + std::string(raw.substr(0, 200)) + "': " + why);
  };
  if (raw.empty()) refuse("empty");
  if (raw[0] == '/') refuse("absolute path");
  std::string out;
  out.reserve(raw.size());
  size_t i = 0;
  while (i < raw.size()) {
    size_t j = raw.find('/', i);
    if (j == std::string_view::npos) j = raw.size();
    std::string_view comp = raw.substr(i, j - i);
    i = j + 1;
    if (comp.empty() || comp == ".") continue;
    if (comp == "..") refuse("'..' component");
    if (comp.find('\0') != std::string_view::npos) refuse("NUL byte");
    if (!out.empty()) out += '/';
    out += comp;
  }
  return out;
}

SplitPath split_entry_path(const std::string& clean) {
  auto pos = clean.rfind('/');
  if (pos == std::string::npos) return {"", clean};
  return {clean.substr(0, pos), clean.substr(pos + 1)};
}

}  // namespace dabba
