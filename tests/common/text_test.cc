#include "common/text.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace dabba {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// The callers (state files, resolv.conf, /etc/subuid, os-release) were written against getline.
TEST(SplitLines, AsGetlineReadsThem) {
  EXPECT_THAT(split_lines(""), IsEmpty());
  EXPECT_THAT(split_lines("a"), ElementsAre("a"));
  EXPECT_THAT(split_lines("a\n"), ElementsAre("a"));
  EXPECT_THAT(split_lines("a\n\nb\n"), ElementsAre("a", "", "b"));
  EXPECT_THAT(split_lines("\n"), ElementsAre(""));
  EXPECT_THAT(split_lines("a\r\nb"), ElementsAre("a\r", "b"));
}

// Every field, empty ones too (mountinfo, /etc/group, port lists, platforms, table cells).
TEST(Split, EveryFieldBetweenSeparators) {
  EXPECT_THAT(split("", ','), ElementsAre(""));
  EXPECT_THAT(split("a", ','), ElementsAre("a"));
  EXPECT_THAT(split("a,,b", ','), ElementsAre("a", "", "b"));
  EXPECT_THAT(split(",a,", ','), ElementsAre("", "a", ""));
  EXPECT_THAT(split("linux/arm/v7", '/'), ElementsAre("linux", "arm", "v7"));
}

}  // namespace
}  // namespace dabba
