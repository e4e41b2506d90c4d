#include "common/toml_guard.h"

#include <cstdint>
#include <cstdio>
#include <cstring>

namespace dabba {
namespace {

constexpr const char* kOutsideAscii =
    "a character outside ASCII where only a key, a value or a comment may be";

// The code point of the UTF-8 sequence at t[i] and its length; 0 for bytes that are not UTF-8
// (overlong forms, surrogates and values past U+10FFFF included).
size_t decode_utf8(std::string_view t, size_t i, uint32_t& cp) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(t[i + k]); };
  const unsigned char lead = b(0);
  size_t n = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0;
  if (n == 0 || lead > 0xF4 || i + n > t.size()) return 0;
  cp = lead & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) {
    if ((b(k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(k) & 0x3F);
  }
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

std::string escape_of(uint32_t cp) {
  char buf[16];
  std::snprintf(buf, sizeof buf, cp <= 0xFFFF ? "\\u%04X" : "\\U%08X", cp);
  return buf;
}

}  // namespace

AsciiToml ascii_toml(std::string_view t) {
  enum class In { kCode, kComment, kBasic, kLiteral, kMultiBasic, kMultiLiteral } in = In::kCode;
  AsciiToml out;
  out.text.reserve(t.size());
  std::string& o = out.text;
  TextPosition pos;
  auto refuse = [&](const TextPosition& at, const char* why) {
    out.refused = at;
    out.why = why;
    out.text.clear();
    return out;
  };
  auto starts = [&](size_t i, std::string_view s) { return t.substr(i, s.size()) == s; };
  // A multi-line string ends at the last of a run of 3 to 5 quotes (up to 2 are content).
  auto run_of = [&](size_t i, char q) {
    size_t n = 0;
    while (i + n < t.size() && t[i + n] == q && n < 5) ++n;
    return n;
  };
  size_t i = starts(0, "\xEF\xBB\xBF") ? 3 : 0;  // a BOM: skipped by toml++ too
  // The last character of code before this one, spaces and tabs aside ('\n' at a line's start),
  // and whether it ended a bare token (a run of code up to whitespace or one of ",]}=#"). A quote
  // opens a string only where TOML has a key or a value: outside a token, after one of "\n=[,{".
  // Any other quote, and a '[', '{' or '.' inside a token, are part of a broken token, which
  // toml++ reads as one, up to the character after it.
  char last = '\n';
  bool token = false;
  auto string_may_start = [&] {
    return !token && std::string_view("\n=[,{").find(last) != std::string_view::npos;
  };
  for (; i < t.size(); ++i) {
    const auto c = static_cast<unsigned char>(t[i]);
    const TextPosition here = pos;
    if (c == '\n') {
      ++pos.line;
      pos.column = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++pos.column;  // a character starts here (ASCII, or a UTF-8 lead byte)
    }
    if (c >= 0x80) {
      if (in == In::kCode) return refuse(here, kOutsideAscii);
      uint32_t cp = 0;
      const size_t n = decode_utf8(t, i, cp);
      if (n == 0) return refuse(here, "bytes that are not UTF-8");
      o += in == In::kComment ? std::string("?") : escape_of(cp);
      i += n - 1;
      continue;
    }
    switch (in) {
      case In::kCode:
        if (c == '#') {
          in = In::kComment;
        } else if ((c == '"' || c == '\'') && !string_may_start()) {
          last = static_cast<char>(c);  // not a string: part of a broken token
          token = true;
        } else if (starts(i, "\"\"\"")) {
          in = In::kMultiBasic;
        } else if (starts(i, "'''")) {
          in = In::kMultiLiteral;
          o += "\"\"\"";  // as a basic string: the same value, with escapes
          i += 2;
          pos.column += 2;
          continue;
        } else if (c == '"') {
          in = In::kBasic;
        } else if (c == '\'') {
          in = In::kLiteral;
          o += '"';
          continue;
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
        o += static_cast<char>(c);
        if (in == In::kMultiBasic) {
          o += "\"\"";
          i += 2;
          pos.column += 2;
        }
        break;
      case In::kComment:
        if (c == '\n') {
          in = In::kCode;
          last = '\n';
        }
        o += static_cast<char>(c);
        break;
      case In::kBasic:
      case In::kMultiBasic:
        // An escape of a non-ASCII character is invalid TOML (made an escape itself it would read
        // as a backslash and text): refused.
        if (c == '\\' && i + 1 < t.size() && static_cast<unsigned char>(t[i + 1]) >= 0x80)
          return refuse(pos, "an escape of a character outside ASCII");
        if (in == In::kMultiBasic) {
          if (c == '\\' && i + 1 < t.size()) {
            o += static_cast<char>(c);
            o += t[++i];  // an escape, or a line-ending backslash and its first whitespace
            if (t[i] == '\n') {
              ++pos.line;
              pos.column = 1;
            } else {
              ++pos.column;
            }
          } else if (const size_t n = run_of(i, '"'); n >= 3) {
            in = In::kCode;
            last = '"';
            o.append(n, '"');
            i += n - 1;
            pos.column += n - 1;
          } else {
            o += static_cast<char>(c);
          }
          break;
        }
        o += static_cast<char>(c);
        if (c == '\\' && i + 1 < t.size() && t[i + 1] != '\n') {
          o += t[++i];  // an escaped character (never a newline: that string is broken anyway)
          ++pos.column;
        } else if (c == '"' || c == '\n') {
          in = In::kCode;  // the end, or a string toml++ reports as unterminated
          last = static_cast<char>(c);
        }
        break;
      case In::kLiteral:
        if (c == '\'' || c == '\n') {
          in = In::kCode;
          last = static_cast<char>(c);
          o += c == '\'' ? '"' : '\n';
        } else if (c == '\\' || c == '"') {
          o += '\\';
          o += static_cast<char>(c);
        } else {
          o += static_cast<char>(c);
        }
        break;
      case In::kMultiLiteral:
        if (const size_t n = run_of(i, '\''); n >= 3) {
          in = In::kCode;
          last = '\'';
          o.append(n - 3, '\'');
          o += "\"\"\"";
          i += n - 1;
          pos.column += n - 1;
        } else if (c == '\\' || c == '"') {
          o += '\\';
          o += static_cast<char>(c);
        } else {
          o += static_cast<char>(c);
        }
        break;
    }
  }
  return out;
}

}  // namespace dabba
