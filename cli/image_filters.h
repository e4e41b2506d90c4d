// `--filter` of `images` and `image prune`, as podman reads it: "key=value" or "key!=value";
// several values of one key match if any does (labels: if all do); different keys must all match.
//
//   reference=PATTERN  a name matches the glob (full "host/repo:tag", "host/repo", or the short
//                      forms "repo:tag"/"repo" for docker.io/library and localhost names)
//   dangling=BOOL      the image has no tag        intermediate=BOOL  the same (no builds here)
//   label=K[=V]        has the label               id=PREFIX          image id prefix
//   digest=PREFIX      manifest digest prefix      containers=BOOL    used by a container
//   before=IMAGE, since=IMAGE (after=): created before / after that image
//   until=TIME         created before TIME (unix seconds, RFC 3339, or a Go duration ago: 24h)
//   readonly=BOOL      dabba's images are all read-write
#pragma once

#include <map>
#include <string>
#include <vector>

#include "cli/image_view.h"
#include "store/store.h"

namespace dabba::cli {

class ImageFilters {
 public:
  // Throws Error{kInvalidArgument} for a malformed filter or a key not in allowed (empty: all).
  ImageFilters(const Store& store, const std::vector<std::string>& specs,
               const std::vector<std::string>& allowed = {});
  bool match(const ImageView& view) const;
  bool empty() const { return by_key_.empty(); }

 private:
  struct Clause {
    std::string value;
    bool negate = false;
    int64_t when = 0;  // before/since/until: the time compared with
  };
  bool clause_matches(const std::string& key, const Clause& c, const ImageView& v) const;
  std::map<std::string, std::vector<Clause>> by_key_;
};

// "10m", "1h30m", "1.5h", "300ms" -> seconds (Go's time.ParseDuration, rounded down); throws
// Error{kInvalidArgument}.
int64_t parse_go_duration(const std::string& text);
// until= and prune's --filter until=: unix seconds, RFC 3339, or a duration before now.
int64_t parse_until(const std::string& text, int64_t now);
// podman's reference filter on one stored name.
bool reference_matches(const std::string& pattern, const std::string& name);

}  // namespace dabba::cli
