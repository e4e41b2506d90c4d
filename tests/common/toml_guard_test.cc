// ascii_toml: toml++ is never given a non-ASCII character; one where TOML allows only ASCII is
// refused with its position; inside strings and comments the values stay the same.
#include "common/toml_guard.h"

#include <gtest/gtest.h>

#include <toml++/toml.h>

namespace dabba {
namespace {

bool refused(std::string_view text) { return ascii_toml(text).refused.has_value(); }

// The string value at key in text, read by toml++ after ascii_toml.
std::string value_of(std::string_view text, const char* key) {
  const AsciiToml a = ascii_toml(text);
  EXPECT_FALSE(a.refused) << a.why;
  for (char c : a.text) EXPECT_LT(static_cast<unsigned char>(c), 0x80) << a.text;
  toml::table t = toml::parse(a.text);
  return t[key].value_or(std::string("<missing>"));
}

TEST(TomlGuard, AsciiAndNonAsciiInsideStringsAndCommentsPass) {
  EXPECT_FALSE(refused("a = 1\nb = \"x\"\n"));
  EXPECT_FALSE(refused("# café\nname = \"Jürgen\" # ✓\n"));
  EXPECT_FALSE(refused("s = 'ß'\nm = \"\"\"\nπ \\\" \"\" ü\n\"\"\"\n"));
  EXPECT_FALSE(refused("l = '''\n€ ''\n'''\nq = \"\\\"é\"\n"));
}

TEST(TomlGuard, StringsKeepTheirValuesAsEscapes) {
  EXPECT_EQ(ascii_toml("name = \"J\xC3\xBCrgen\" # \xE2\x9C\x93\n").text,
            "name = \"J\\u00FCrgen\" # ?\n");
  EXPECT_EQ(value_of("n = \"J\xC3\xBCrgen \xF0\x9F\x90\xB3\"", "n"), "J\xC3\xBCrgen \xF0\x9F\x90\xB3");
  // A literal string becomes a basic one: backslashes and quotes in it are escaped.
  EXPECT_EQ(value_of("p = 'C:\\d\xC3\x9F \"q\"'", "p"), "C:\\d\xC3\x9F \"q\"");
  EXPECT_EQ(value_of("m = '''\n\\x \xE2\x82\xAC ''\n'''''", "m"), "\\x \xE2\x82\xAC ''\n''");
  EXPECT_EQ(value_of("m = \"\"\"\n\xCF\x80 \\\" \"\" \xC3\xBC\n\"\"\"", "m"),
            "\xCF\x80 \" \"\" \xC3\xBC\n");
  // After a line-ending backslash the whitespace goes, the character stays.
  EXPECT_EQ(value_of("a = \"\"\"x\\  \n  \xC3\xA9\"\"\"\n", "a"), "x\xC3\xA9");
  // Quoted keys too, and a BOM is skipped.
  EXPECT_EQ(value_of("\xEF\xBB\xBF'k\xC3\xA9' = \"v\"", "k\xC3\xA9"), "v");
}

// What toml++ reads as a broken token with a quote in it (found by tests/fuzz) reaches it as
// ASCII, and it says the file is broken.
TEST(TomlGuard, BrokenTokensReachTomlppAsAscii) {
  for (std::string_view broken :
       {"a = 777'777\xEF\xB1\xBF" "7\n", "a = \"x\"'\xC3\xA9'\n", "a = [37ZZ[[\"\"\"x[\xCE\x86\n",
        "a = '''x'''\n\"\xC3\xA9"}) {
    const AsciiToml a = ascii_toml(broken);
    if (a.refused) continue;
    for (char c : a.text) EXPECT_LT(static_cast<unsigned char>(c), 0x80) << broken;
    EXPECT_THROW(toml::parse(a.text), toml::parse_error) << broken;
  }
  // An escaped non-ASCII character (fuzz, too): refused.
  EXPECT_TRUE(refused("[\"\"\"ii-\\\xEF\xBB\xBD\n"));
  // A closing ''' right before a quote: made """ it would close a longer run and read as valid.
  EXPECT_TRUE(refused("a = '''x'''\""));
  EXPECT_THROW(toml::parse("a = '''x'''\""), toml::parse_error);
  // Quoted parts of dotted keys and table names keep their values.
  EXPECT_EQ(value_of("a.\"#\" = \"\xC3\xA9\"\nb = \"\xC3\xA9\"", "b"), "\xC3\xA9");
  EXPECT_FALSE(refused("a.'\xC3\xA9' = 1\n[\"\xC3\xA9\"]\nc = [ 1,\n  \"\xC3\xA9\" ]\n"));
  EXPECT_FALSE(refused("t = { k = '\xC3\xA9' }\n\"k\xC3\xA9\" = 1\n"));
}

// The input toml++ 3.3 still crashed on with the earlier guard (tests/fuzz): `7="…` is one broken
// value to toml++, a separator and a string to the guard. The string's character is an escape
// now, so toml++ meets only ASCII and says the file is broken.
TEST(TomlGuard, ABrokenValueReadAsAStringReachesTomlppAsAscii) {
  const AsciiToml a = ascii_toml("r =7=\"\xEF\xBB\xBD\xD3\x94");  // its corpus input
  ASSERT_FALSE(a.refused);
  for (char c : a.text) EXPECT_LT(static_cast<unsigned char>(c), 0x80);
  EXPECT_THROW(toml::parse(a.text), toml::parse_error);
}

TEST(TomlGuard, QuotesBeforeTheClosingThreeAndABomPass) {
  // Up to two quotes before the closing three are content (TOML 1.0); a BOM is skipped.
  EXPECT_FALSE(refused("a = \"\"\"x\"\"\"\" # \"\xC3\xA9\"\n"));
  EXPECT_FALSE(refused("a = [\'\'\'x\'\'\'\'\', \'\xC3\xA9\']\n"));
  EXPECT_FALSE(refused("\xEF\xBB\xBF" "a = 1\n"));
}

TEST(TomlGuard, NonAsciiWhereOnlyAsciiMayBeIsFoundWithItsPosition) {
  // U+0405 where a key must start: what made toml++ 3.3 reach __builtin_unreachable().
  AsciiToml a = ascii_toml("a = \"é\"\n\xD0\x85 = 1\n");
  ASSERT_TRUE(a.refused);
  EXPECT_EQ(a.refused->line, 2u);
  EXPECT_EQ(a.refused->column, 1u);
  EXPECT_NE(a.why.find("outside ASCII"), std::string::npos);
  EXPECT_TRUE(a.text.empty());
  a = ascii_toml("key\xC2\xA1 = 1");  // U+00A1 after a bare key
  ASSERT_TRUE(a.refused);
  EXPECT_EQ(a.refused->line, 1u);
  EXPECT_EQ(a.refused->column, 4u);
  // After a string that ends, and after a multi-line string: back outside.
  EXPECT_TRUE(refused("a = \"x\" \xC2\xA0"));
  EXPECT_TRUE(refused("a = \"\"\"\nx\"\"\" \xC2\xA0"));
  EXPECT_TRUE(refused("a = '''x''' \xC2\xA0"));
  // An unterminated single-line string ends at its newline (toml++ reports it).
  EXPECT_TRUE(refused("a = \"x\n\xC2\xA0"));
}

TEST(TomlGuard, BytesThatAreNotUtf8AreRefused) {
  for (std::string_view bad : {"a = \"\xC3\"", "a = \"\xC0\xAF\"", "# \xED\xA0\x80\n",
                               "a = '\xF4\x90\x80\x80'", "a = \"\xFF\""}) {
    const AsciiToml a = ascii_toml(bad);
    ASSERT_TRUE(a.refused) << bad;
    EXPECT_NE(a.why.find("not UTF-8"), std::string::npos);
  }
}

}  // namespace
}  // namespace dabba
