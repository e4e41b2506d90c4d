// Numbers and times as people read them in command output: sizes in SI units (as podman prints
// them), "2 hours ago", and RFC 3339 timestamps from image configs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace dabba {

// "0 B", "512 B", "1 kB", "1.54 kB", "12.3 MB", "1.2 GB": podman's sizes (`podman images`,
// `history`: go-units' three significant digits, powers of 1000, a space before the unit). The
// one size format of every dabba output.
std::string human_size(uint64_t bytes);
// "0B", "12B", "1.999MB", "12.01MB": four significant digits and no space, as podman's
// `system df` prints sizes (docker's units.HumanSize).
std::string human_size_compact(uint64_t bytes);

// "Less than a second ago", "5 seconds ago", "About a minute ago", "2 hours ago", "3 days ago",
// "2 weeks ago", "4 months ago", "2 years ago" (docker's wording). then after now: "now".
std::string time_ago(int64_t then, int64_t now);

// Unix seconds of an RFC 3339 time ("2024-05-01T12:34:56Z", "...56.123456789+02:00");
// 0 for an empty or malformed text.
int64_t parse_rfc3339(std::string_view text);

// "2024-05-01T12:34:56Z" for unix seconds (UTC).
std::string format_rfc3339(int64_t unix_seconds);

}  // namespace dabba
