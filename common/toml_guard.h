// A check before a TOML file reaches toml++. Debian 12's toml++ 3.3 reaches
// __builtin_unreachable() (undefined behaviour) on some non-ASCII characters where TOML allows
// only ASCII: outside strings and comments (found by tests/fuzz/registries_conf_fuzz.cc). Any such
// character is invalid TOML 1.0 anyway, so finding the first one lets the caller refuse the file
// with a clear message before toml++ sees it.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace dabba {

struct TextPosition {
  size_t line = 1;    // from 1
  size_t column = 1;  // from 1, in characters (UTF-8 sequences count once)
};

// Where the first byte >= 0x80 outside a string ("...", '...', """...""", '''...''') and outside
// a comment is, if any.
std::optional<TextPosition> non_ascii_outside_strings(std::string_view toml);

}  // namespace dabba
