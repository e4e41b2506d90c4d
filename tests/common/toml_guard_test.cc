// non_ascii_outside_strings: non-ASCII is found where TOML allows only ASCII, and only there.
#include "common/toml_guard.h"

#include <gtest/gtest.h>

namespace dabba {
namespace {

TEST(TomlGuard, AsciiAndNonAsciiInsideStringsAndCommentsPass) {
  EXPECT_FALSE(non_ascii_outside_strings("a = 1\nb = \"x\"\n"));
  EXPECT_FALSE(non_ascii_outside_strings("# café\nname = \"Jürgen\" # ✓\n"));
  EXPECT_FALSE(non_ascii_outside_strings("s = 'ß'\nm = \"\"\"\nπ \\\" \"\" ü\n\"\"\"\n"));
  EXPECT_FALSE(non_ascii_outside_strings("l = '''\n€ ''\n'''\nq = \"\\\"é\"\n"));
}

TEST(TomlGuard, AQuoteInsideABrokenTokenOpensNoString) {
  // toml++ reads `777'777...` as one value up to the character after it: found by tests/fuzz.
  EXPECT_TRUE(non_ascii_outside_strings("a = 777'777\xEF\xB1\xBF7\n"));
  EXPECT_TRUE(non_ascii_outside_strings("a = \"x\"'\xC3\xA9'\n"));
  EXPECT_TRUE(non_ascii_outside_strings("a = [37ZZ[[\"\"\"x[\xCE\x86\n"));  // fuzz, too
  // An escaped non-ASCII character, and one right after a line-ending backslash (fuzz, too).
  EXPECT_TRUE(non_ascii_outside_strings("[\"\"\"ii-\\\xEF\xBB\xBD\n"));
  EXPECT_TRUE(non_ascii_outside_strings("a = \"\"\"x\\  \n  \xC3\xA9\"\"\"\n"));
  EXPECT_FALSE(non_ascii_outside_strings("a = \"\"\"x\\  \n  y\xC3\xA9\"\"\"\n"));
  // Where TOML has a key or a value, a quote opens a string, as before.
  EXPECT_FALSE(non_ascii_outside_strings("[\"\xC3\xA9\"]\na = [ 1,\n  \"\xC3\xA9\" ]\n"));
  // A quoted part of a dotted key is refused with non-ASCII in it: safe, and rare in these files.
  EXPECT_TRUE(non_ascii_outside_strings("a.'\xC3\xA9' = 1\n"));
  EXPECT_FALSE(non_ascii_outside_strings("t = { k = '\xC3\xA9' }\n\"k\xC3\xA9\" = 1\n"));
}

TEST(TomlGuard, QuotesBeforeTheClosingThreeAndABomPass) {
  // Up to two quotes before the closing three are content (TOML 1.0); a BOM is skipped.
  EXPECT_FALSE(non_ascii_outside_strings("a = \"\"\"x\"\"\"\" # \"\xC3\xA9\"\n"));
  EXPECT_FALSE(non_ascii_outside_strings("a = [\'\'\'x\'\'\'\'\', \'\xC3\xA9\']\n"));
  EXPECT_FALSE(
      non_ascii_outside_strings("\xEF\xBB\xBF"
                                "a = 1\n"));
}

TEST(TomlGuard, NonAsciiWhereOnlyAsciiMayBeIsFoundWithItsPosition) {
  // U+0405 where a key must start: what made toml++ 3.3 reach __builtin_unreachable().
  auto at = non_ascii_outside_strings("a = \"é\"\n\xD0\x85 = 1\n");
  ASSERT_TRUE(at);
  EXPECT_EQ(at->line, 2u);
  EXPECT_EQ(at->column, 1u);
  at = non_ascii_outside_strings("key\xC2\xA1 = 1");  // U+00A1 after a bare key
  ASSERT_TRUE(at);
  EXPECT_EQ(at->line, 1u);
  EXPECT_EQ(at->column, 4u);
  // After a string that ends, and after a multi-line string: back outside.
  EXPECT_TRUE(non_ascii_outside_strings("a = \"x\" \xC2\xA0"));
  EXPECT_TRUE(non_ascii_outside_strings("a = \"\"\"\nx\"\"\" \xC2\xA0"));
  EXPECT_TRUE(non_ascii_outside_strings("a = '''x''' \xC2\xA0"));
  // An unterminated single-line string ends at its newline (toml++ reports it).
  EXPECT_TRUE(non_ascii_outside_strings("a = \"x\n\xC2\xA0"));
}

}  // namespace
}  // namespace dabba
