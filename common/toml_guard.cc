#include "common/toml_guard.h"

#include <cstring>

namespace dabba {

std::optional<TextPosition> non_ascii_outside_strings(std::string_view t) {
  enum class In { kCode, kComment, kBasic, kLiteral, kMultiBasic, kMultiLiteral } in = In::kCode;
  TextPosition pos;
  auto starts = [&](size_t i, std::string_view s) { return t.substr(i, s.size()) == s; };
  // A multi-line string ends at the last of a run of 3 to 5 quotes (up to 2 are content).
  auto run_of = [&](size_t i, char q) {
    size_t n = 0;
    while (i + n < t.size() && t[i + n] == q && n < 5) ++n;
    return n;
  };
  const size_t bom = starts(0, "\xEF\xBB\xBF") ? 3 : 0;  // skipped by toml++ too
  // The last character of code before this one, spaces and tabs aside ('\n' at a line's start),
  // and whether it ended a bare token (a run of code up to whitespace or one of ",]}=#"). A quote
  // opens a string only where TOML has a key or a value: outside a token, after one of "\n=[,{".
  // Any other quote, and a '[', '{' or '.' inside a token, are part of a broken token, which
  // toml++ reads as one, up to the character after it. (So `a."é"` is refused: safe, and rare.)
  char last = '\n';
  bool token = false;
  auto string_may_start = [&] {
    return !token && std::string_view("\n=[,{").find(last) != std::string_view::npos;
  };
  for (size_t i = bom; i < t.size(); ++i) {
    const auto c = static_cast<unsigned char>(t[i]);
    const TextPosition here = pos;
    if (c == '\n') {
      ++pos.line;
      pos.column = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++pos.column;  // a character starts here (ASCII, or a UTF-8 lead byte)
    }
    switch (in) {
      case In::kCode:
        if (c >= 0x80) return here;
        if (c == '#') {
          in = In::kComment;
        } else if ((c == '"' || c == '\'') && !string_may_start()) {
          last = static_cast<char>(c);  // not a string: part of a broken token
          token = true;
        } else if (starts(i, "\"\"\"")) {
          in = In::kMultiBasic;
          i += 2;
          pos.column += 2;
        } else if (starts(i, "'''")) {
          in = In::kMultiLiteral;
          i += 2;
          pos.column += 2;
        } else if (c == '"') {
          in = In::kBasic;
        } else if (c == '\'') {
          in = In::kLiteral;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
          token = false;
          if (c == '\n') last = '\n';
        } else if (std::string_view(",]}=").find(static_cast<char>(c)) != std::string_view::npos) {
          token = false;
          last = static_cast<char>(c);
        } else if (!token && (c == '[' || c == '{')) {
          last = static_cast<char>(c);  // an array, a table header or an inline table opens
        } else {
          token = true;  // a bare key or value, or a broken one
          last = static_cast<char>(c);
        }
        break;
      case In::kComment:
        if (c == '\n') {
          in = In::kCode;
          last = '\n';
        }
        break;
      case In::kBasic:
      case In::kMultiBasic:
        // An escape of a non-ASCII character is invalid TOML, and toml++ asks whether it is
        // whitespace (a line-ending backslash): refused here.
        if (c == '\\' && i + 1 < t.size() && static_cast<unsigned char>(t[i + 1]) >= 0x80) {
          return pos;
        }
        if (in == In::kMultiBasic) {
          if (c == '\\' && i + 1 < t.size() && std::strchr(" \t\r\n", t[i + 1]) != nullptr) {
            // A line-ending backslash: toml++ skips the whitespace after it, asking of each
            // character whether it is whitespace, up to the first that is not.
            size_t j = i + 1;
            while (j < t.size() && std::strchr(" \t\r\n", t[j]) != nullptr && t[j] != '\0') ++j;
            if (j < t.size() && static_cast<unsigned char>(t[j]) >= 0x80) return pos;
          } else if (c == '\\' && i + 1 < t.size()) {
            ++i;
            if (t[i] == '\n') {
              ++pos.line;
              pos.column = 1;
            } else {
              ++pos.column;
            }
          } else if (const size_t n = run_of(i, '"'); n >= 3) {
            in = In::kCode;
            last = '"';
            i += n - 1;
            pos.column += n - 1;
          }
          break;
        }
        if (c == '\\' && i + 1 < t.size() && t[i + 1] != '\n') {
          ++i;  // an escaped character (never a newline: that string is broken anyway)
          if ((static_cast<unsigned char>(t[i]) & 0xC0) != 0x80) ++pos.column;
        } else if (c == '"' || c == '\n') {
          in = In::kCode;  // the end, or a string toml++ reports as unterminated
          last = static_cast<char>(c);
        }
        break;
      case In::kLiteral:
        if (c == '\'' || c == '\n') {
          in = In::kCode;
          last = static_cast<char>(c);
        }
        break;
      case In::kMultiLiteral:
        if (const size_t n = run_of(i, '\''); n >= 3) {
          in = In::kCode;
          last = '\'';
          i += n - 1;
          pos.column += n - 1;
        }
        break;
    }
  }
  return std::nullopt;
}

}  // namespace dabba
