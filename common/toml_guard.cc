#include "common/toml_guard.h"

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
  // The last character of code before this one, spaces and tabs aside ('\n' at a line's start):
  // a quote opens a string only where TOML has a key or a value, after one of "\n=[,{.". Any
  // other quote is in a broken token, which toml++ reads as one, up to what follows it.
  char last = '\n';
  auto string_may_start = [&] {
    return std::string_view("\n=[,{.").find(last) != std::string_view::npos;
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
        } else if (c == '\n' || (c != ' ' && c != '\t' && c != '\r')) {
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
      case In::kMultiBasic:
        if (c == '\\' && i + 1 < t.size()) {
          ++i;
          if (t[i] == '\n') {
            ++pos.line;
            pos.column = 1;
          } else if ((static_cast<unsigned char>(t[i]) & 0xC0) != 0x80) {
            ++pos.column;
          }
        } else if (const size_t n = run_of(i, '"'); n >= 3) {
          in = In::kCode;
          last = '"';
          i += n - 1;
          pos.column += n - 1;
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
