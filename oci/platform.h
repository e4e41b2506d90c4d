// Platforms (os/architecture/variant) as image indexes name them, the host's, and how well an
// image built for one runs on another (arm/v7 runs arm/v6 and arm/v5 images, amd64/v3 runs v2).
#pragma once

#include <string>
#include <string_view>

namespace dabba {

struct Platform {
  std::string os;
  std::string architecture;
  std::string variant;

  // "linux/arm64", "linux/arm/v7"; throws Error{kInvalidArgument} for anything else.
  static Platform parse(std::string_view text);
  // The machine we run on (uname), normalised: linux/amd64, linux/arm64/v8, linux/arm/v7, ...
  static Platform host();

  // Canonical names (x86_64 -> amd64, aarch64 -> arm64, armhf -> arm/v7, i686 -> 386) and the
  // implied variant made explicit (arm64 -> v8, arm -> v7).
  Platform normalized() const;
  // "os/arch[/variant]" as given.
  std::string str() const;

  bool operator==(const Platform&) const = default;
};

// How well an image for candidate suits wanted: 0 is an exact match, higher is a worse but
// still runnable match (an older variant), -1 is no match. Both are normalised first.
int platform_match_rank(const Platform& candidate, const Platform& wanted);

}  // namespace dabba
