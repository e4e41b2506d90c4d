// podman's transports in front of an image name (containers-transports(5)), as pull, run and
// create take them:
//   docker://NAME             a registry image: NAME, pulled as any name is
//   containers-storage:NAME   a stored image: NAME (dabba's store stands for podman's)
//   docker-archive:PATH, oci-archive:PATH, oci:PATH, dir:PATH
//                             an archive or layout on disk, loaded (pull/image_load.h); a
//                             ":REFERENCE" after PATH, which picks one image of several, is
//                             taken off and the archive's first image is used
//   docker-daemon:, ostree:, sif:  refused by name (dabba reads no Docker daemon)
// Anything else is a plain name.
#pragma once

#include <string>
#include <string_view>

namespace dabba {

struct ImageSource {
  enum class Kind { kName, kArchive };
  Kind kind = Kind::kName;
  std::string text;  // the name, or the archive's path
};

// Throws Error{kInvalidArgument} for a transport dabba does not read.
ImageSource parse_image_source(std::string_view reference);

}  // namespace dabba
