#include "cli/image_filters.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <utility>

#include "common/error.h"

namespace dabba::cli {
namespace {

TEST(ImageFilters, ReferencesMatchAsPodmanMatchesThem) {
  const std::string alpine = "docker.io/library/alpine:3.20";
  EXPECT_TRUE(reference_matches("alpine", alpine));
  EXPECT_TRUE(reference_matches("alpine:3.20", alpine));
  EXPECT_TRUE(reference_matches("docker.io/library/alpine", alpine));
  EXPECT_TRUE(reference_matches("alp*", alpine));
  EXPECT_FALSE(reference_matches("alpine:3.19", alpine));
  EXPECT_TRUE(reference_matches("bb", "localhost/bb:1"));
  EXPECT_TRUE(reference_matches("bb:1", "localhost/bb:1"));
  EXPECT_TRUE(reference_matches("127.0.0.1:5000/rig/*:latest", "127.0.0.1:5000/rig/x:latest"));
  EXPECT_FALSE(reference_matches("127.0.0.1:5000/rig/*", "127.0.0.1:5000/rig/x/y:latest"));
  EXPECT_TRUE(reference_matches("busybox", "127.0.0.1:5000/rig/busybox:latest"));
  EXPECT_FALSE(reference_matches("x", "<none>@sha256:" + std::string(64, 'a')));
}

TEST(ImageFilters, GoDurationsAndUntilTimes) {
  const std::pair<const char*, int64_t> durations[] = {
      {"90s", 90}, {"1h30m", 5400}, {"1.5h", 5400}, {"1500ms", 1}, {"0", 0}};
  for (const auto& [text, seconds] : durations) EXPECT_EQ(parse_go_duration(text), seconds) << text;
  EXPECT_THROW(parse_go_duration("10"), Error);
  EXPECT_THROW(parse_go_duration("5d"), Error);
  EXPECT_EQ(parse_until("1700000000", 0), 1700000000);
  EXPECT_EQ(parse_until("2023-11-14T22:13:20Z", 0), 1700000000);
  EXPECT_EQ(parse_until("24h", 1700000000), 1700000000 - 86400);
}

}  // namespace
}  // namespace dabba::cli
