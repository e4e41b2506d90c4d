// The text toml++ is given. Debian 12's toml++ 3.3 reaches __builtin_unreachable() (undefined
// behaviour) when it asks whether some non-ASCII characters are whitespace, which it does wherever
// it reads code, and where it misreads a broken token as code (found by
// tests/fuzz/registries_conf_fuzz.cc). So it is never given a non-ASCII character: inside a
// string each becomes an escape (a literal string becomes a basic one: the same value), inside a
// comment a '?'. A non-ASCII character where TOML allows only ASCII (by this reading) is refused,
// as are bytes that are not UTF-8: invalid TOML 1.0 either way. toml++'s lines stay the file's;
// its columns count the escapes.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace dabba {

struct TextPosition {
  size_t line = 1;    // from 1
  size_t column = 1;  // from 1, in characters (UTF-8 sequences count once)
};

struct AsciiToml {
  std::string text;                     // for toml++, when nothing is refused
  std::optional<TextPosition> refused;  // where the first character TOML does not allow is
  std::string why;                      // what is wrong there, in words
};

AsciiToml ascii_toml(std::string_view toml);

}  // namespace dabba
