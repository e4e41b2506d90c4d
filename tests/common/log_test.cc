#include "common/log.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace dabba {
namespace {

TEST(LogLine, NotATerminalIsLogrusText) {
  EXPECT_EQ(
      format_log_line(LogLevel::kWarn, "no range for \"u\"", false, 0, "2026-12-05T02:53:18Z"),
      "time=\"2026-12-05T02:53:18Z\" level=warning msg=\"no range for \\\"u\\\"\"\n");
  EXPECT_EQ(format_log_line(LogLevel::kTrace, "plain", false, 0, "T"),
            "time=\"T\" level=trace msg=plain\n");
  EXPECT_EQ(format_log_line(LogLevel::kError, "a\tb\\c\x01", false, 0, "T"),
            "time=\"T\" level=error msg=\"a\\tb\\\\c\\x01\"\n");
}

TEST(LogLine, OneTrailingNewlineOfTheMessageGoes) {
  EXPECT_EQ(format_log_line(LogLevel::kInfo, "x y\n", false, 0, "T"),
            "time=\"T\" level=info msg=\"x y\"\n");
}

TEST(LogLine, TerminalIsColouredShortLevelAndSeconds) {
  EXPECT_EQ(format_log_line(LogLevel::kWarn, "careful", true, 3, ""),
            "\x1b[33mWARN\x1b[0m[0003] careful\n");
  EXPECT_EQ(format_log_line(LogLevel::kDebug, "d", true, 12345, ""),
            "\x1b[37mDEBU\x1b[0m[12345] d\n");
}

TEST(LogLevelNames, LogrusNamesParse) {
  EXPECT_EQ(parse_log_level("trace"), LogLevel::kTrace);
  EXPECT_EQ(parse_log_level("warning"), LogLevel::kWarn);
  EXPECT_EQ(parse_log_level("panic"), LogLevel::kError);
  EXPECT_STREQ(log_level_name(LogLevel::kTrace), "trace");
  EXPECT_THROW(parse_log_level("telepathic"), Error);
}

}  // namespace
}  // namespace dabba
