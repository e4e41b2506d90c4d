#include "common/human.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <utility>

namespace dabba {
namespace {

// As `podman images` prints them (go-units' HumanSizeWithPrecision(n, 3), a space before the
// unit), except where go would print "1e+03 kB".
TEST(HumanSize, PodmansThreeSignificantDigitsInPowersOf1000) {
  EXPECT_EQ(human_size(0), "0 B");
  EXPECT_EQ(human_size(999), "999 B");
  EXPECT_EQ(human_size(1000), "1 kB");
  EXPECT_EQ(human_size(1536), "1.54 kB");
  EXPECT_EQ(human_size(12345), "12.3 kB");
  EXPECT_EQ(human_size(999499), "999 kB");
  EXPECT_EQ(human_size(999500), "1 MB");
  EXPECT_EQ(human_size(7812345), "7.81 MB");
  EXPECT_EQ(human_size(1200000000), "1.2 GB");
  EXPECT_EQ(human_size(5830000), "5.83 MB");
  EXPECT_EQ(human_size(1997991), "2 MB");
  EXPECT_EQ(human_size_compact(0), "0B");
  EXPECT_EQ(human_size_compact(12), "12B");
  EXPECT_EQ(human_size_compact(12013013), "12.01MB");
  EXPECT_EQ(human_size_compact(1999000), "1.999MB");
}

TEST(TimeAgo, DockersWording) {
  const int64_t now = 1700000000;
  EXPECT_EQ(time_ago(now, now), "Less than a second ago");
  EXPECT_EQ(time_ago(now - 1, now), "1 second ago");
  EXPECT_EQ(time_ago(now - 59, now), "59 seconds ago");
  EXPECT_EQ(time_ago(now - 90, now), "About a minute ago");
  EXPECT_EQ(time_ago(now - 300, now), "5 minutes ago");
  EXPECT_EQ(time_ago(now - 4000, now), "About an hour ago");
  EXPECT_EQ(time_ago(now - 7200, now), "2 hours ago");
  EXPECT_EQ(time_ago(now - 3 * 86400, now), "3 days ago");
  EXPECT_EQ(time_ago(now - 20 * 86400, now), "2 weeks ago");
  EXPECT_EQ(time_ago(now - 100 * 86400, now), "3 months ago");
  EXPECT_EQ(time_ago(now - 3 * 365 * 86400, now), "3 years ago");
  EXPECT_EQ(time_ago(now + 5, now), "now");
}

TEST(Rfc3339, ParsesWhatImageConfigsHold) {
  const std::pair<const char*, int64_t> times[] = {
      {"1970-01-01T00:00:00Z", 0},
      {"2023-11-14T22:13:20Z", 1700000000},
      {"2023-11-14T22:13:20.123456789Z", 1700000000},
      {"2023-11-15T00:13:20+02:00", 1700000000},
      {"2023-11-14T21:13:20-01:00", 1700000000},
      {"2024-02-29T12:00:00Z", 1709208000},  // a leap day
  };
  for (const auto& [text, seconds] : times) EXPECT_EQ(parse_rfc3339(text), seconds) << text;
}

TEST(Rfc3339, MalformedIsZero) {
  for (const char* text : {"", "yesterday", "2023-11-14", "2023-13-14T22:13:20Z",
                           "2023-11-14T22:13:20" /* no zone */, "2023-11-14T22:13:20Zjunk"})
    EXPECT_EQ(parse_rfc3339(text), 0) << text;
}

TEST(Rfc3339, FormatsUtc) {
  EXPECT_EQ(format_rfc3339(1700000000), "2023-11-14T22:13:20Z");
  EXPECT_EQ(parse_rfc3339(format_rfc3339(1234567890)), 1234567890);
}

}  // namespace
}  // namespace dabba
