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
  // A quote right after a string's closing quotes: never valid TOML, and once a literal string's
  // quotes are made '"' the run could read as a longer, valid one (`'''x'''"`, `""'x'""`).
  auto quote_at = [&](size_t i) { return i < t.size() && (t[i] == '"' || t[i] == '\''); };
  constexpr const char* kQuoteAfter = "a quote right after the end of a string";
  // Every quote in code opens a string here, also one toml++ reads as part of a broken token: the
  // output is ASCII either way, and a broken token stays broken (TOML allows both quotes at the
  // same places).
  for (size_t i = starts(0, "\xEF\xBB\xBF") ? 3 : 0; i < t.size(); ++i) {  // a BOM: skipped
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
        if (starts(i, "\"\"\"") || starts(i, "'''")) {
          in = c == '"' ? In::kMultiBasic : In::kMultiLiteral;
          o += "\"\"\"";  // a literal one as a basic one: the same value, with escapes
          i += 2;
          pos.column += 2;
          break;
        }
        if (c == '#') in = In::kComment;
        if (c == '"' || c == '\'') in = c == '"' ? In::kBasic : In::kLiteral;
        o += c == '\'' ? '"' : static_cast<char>(c);
        break;
      case In::kComment:
        if (c == '\n') in = In::kCode;
        o += static_cast<char>(c);
        break;
      case In::kBasic:
      case In::kMultiBasic:
        // An escape of a non-ASCII character is invalid TOML (made an escape itself it would read
        // as a backslash and text): refused.
        if (c == '\\' && i + 1 < t.size() && static_cast<unsigned char>(t[i + 1]) >= 0x80)
          return refuse(pos, "an escape of a character outside ASCII");
        if (c == '\\' && i + 1 < t.size() && (in == In::kMultiBasic || t[i + 1] != '\n')) {
          // An escape, or (multi-line) a line-ending backslash and its first whitespace. In a
          // single-line string a backslash before a newline is left: that string is broken.
          o += static_cast<char>(c);
          o += t[++i];
          if (t[i] == '\n') {
            ++pos.line;
            pos.column = 1;
          } else {
            ++pos.column;
          }
        } else if (in == In::kMultiBasic && run_of(i, '"') >= 3) {
          const size_t n = run_of(i, '"');
          if (quote_at(i + n)) return refuse(pos, kQuoteAfter);
          in = In::kCode;
          o.append(n, '"');
          i += n - 1;
          pos.column += n - 1;
        } else {
          if (in == In::kBasic && c == '"' && quote_at(i + 1)) return refuse(pos, kQuoteAfter);
          o += static_cast<char>(c);
          // The end, or a single-line string toml++ reports as unterminated.
          if (in == In::kBasic && (c == '"' || c == '\n')) in = In::kCode;
        }
        break;
      case In::kLiteral:
      case In::kMultiLiteral:
        if (in == In::kLiteral && (c == '\'' || c == '\n')) {
          if (c == '\'' && quote_at(i + 1)) return refuse(pos, kQuoteAfter);
          in = In::kCode;
          o += c == '\'' ? '"' : '\n';
        } else if (in == In::kMultiLiteral && run_of(i, '\'') >= 3) {
          const size_t n = run_of(i, '\'');
          if (quote_at(i + n)) return refuse(pos, kQuoteAfter);
          in = In::kCode;
          o.append(n - 3, '\'');
          o += "\"\"\"";
          i += n - 1;
          pos.column += n - 1;
        } else {
          if (c == '\\' || c == '"') o += '\\';
          o += static_cast<char>(c);
        }
        break;
    }
  }
  return out;
}

}  // namespace dabba
