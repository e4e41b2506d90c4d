#include "runner/container_log.h"

#include <gtest/gtest.h>

namespace dabba::runner {
namespace {

TEST(ContainerLog, RecordsPerLineAsConmonWritesThem) {
  timespec t = {1714564800, 123456789};  // 2024-05-01T12:00:00.123456789Z
  EXPECT_EQ(format_log_records(LogStream::kStdout, "one\ntwo\n", t),
            "2024-05-01T12:00:00.123456789Z stdout F one\n"
            "2024-05-01T12:00:00.123456789Z stdout F two\n");
  // A chunk that ends mid-line leaves a partial record; an empty line is a record too.
  EXPECT_EQ(format_log_records(LogStream::kStderr, "\nhalf", t),
            "2024-05-01T12:00:00.123456789Z stderr F \n"
            "2024-05-01T12:00:00.123456789Z stderr P half\n");
  t.tv_nsec = 5;
  EXPECT_EQ(format_log_records(LogStream::kStdout, "x\n", t),
            "2024-05-01T12:00:00.000000005Z stdout F x\n");
  EXPECT_EQ(format_log_records(LogStream::kStdout, "", t), "");
}

TEST(ContainerLog, ParsesRecordsAndNothingElse) {
  auto r = parse_log_record("2024-05-01T12:00:00.1Z stderr P a b  c ");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->time, "2024-05-01T12:00:00.1Z");
  EXPECT_EQ(r->stream, LogStream::kStderr);
  EXPECT_TRUE(r->partial);
  EXPECT_EQ(r->text, "a b  c ");
  r = parse_log_record("2024-05-01T12:00:00.1Z stdout F");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->text, "");
  EXPECT_FALSE(r->partial);
  // Text that looks like a record stays text.
  r = parse_log_record("T stdout F 2020-01-01T00:00:00Z stderr F forged");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->stream, LogStream::kStdout);
  EXPECT_EQ(r->text, "2020-01-01T00:00:00Z stderr F forged");
  for (const char* bad : {"", "T", "T stdin F x", "T stdout X x", "T stdout Fx"})
    EXPECT_FALSE(parse_log_record(bad)) << bad;
}

}  // namespace
}  // namespace dabba::runner
