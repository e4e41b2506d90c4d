// What the volume verbs and the verbs that make containers (run, create) share: a volume as
// podman shows it, the --filter of `volume ls`/`volume prune`, and the volume mounts of a new
// container (named ones created on first use, the image's VOLUMEs as anonymous ones, a new volume
// filled from the image).
#pragma once

#include <string>
#include <vector>

#include "cli/go_template.h"
#include "runner/spec.h"
#include "store/store.h"

namespace dabba::cli {

// podman's `volume inspect` object: Name, Driver, Mountpoint, CreatedAt, Labels, Scope, Options,
// MountCount, NeedsCopyUp, NeedsChown.
TemplateData volume_json(const Store& store, const VolumeRecord& volume);

// --filter of volume ls / prune: name=, label=KEY[=VALUE], driver=, scope=, dangling=true|false,
// opt=KEY[=VALUE]; several of one key match any, different keys must all match (podman's).
class VolumeFilter {
 public:
  // Throws Error{kInvalidArgument} for an unknown key or a malformed filter.
  explicit VolumeFilter(const std::vector<std::string>& filters);
  bool match(const Store& store, const VolumeRecord& volume) const;

 private:
  std::vector<std::pair<std::string, std::string>> filters_;
};

// The volume mounts of a new container, in mounts (as parsed by parse_volume) plus, for each
// image VOLUME path no mount covers, an anonymous volume. Creates the volumes missing, fills each
// one still empty and never filled from the image's content at its path, where the image has
// some (podman's copy-up; layers: the image's, top first; owners kept), records the volume as
// used (inspect's NeedsCopyUp and NeedsChown turn false), and sets every volume mount's source to
// its directory. Returns the volume names for the
// container's record. Needs dabba's user namespace (it mounts the image to copy from).
std::vector<std::string> prepare_volumes(Store& store, std::vector<runner::MountSpec>& mounts,
                                         const std::vector<std::string>& image_volumes,
                                         const std::vector<std::string>& layers);

}  // namespace dabba::cli
