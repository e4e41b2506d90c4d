// An image named by an archive transport (docker-archive:PATH, oci-archive:PATH, oci:PATH,
// dir:PATH; pull/image_source.h) for pull, run and create: loaded into the store as `load`
// would, with podman's lines around the layers' ("Getting image source signatures", "Writing
// manifest to image destination").
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "oci/platform.h"
#include "pull/image_load.h"
#include "store/store.h"

namespace dabba::cli {

// Every image of the archive at path; quiet prints nothing. Throws Error{kNotFound} for an
// archive without images.
std::vector<LoadedImage> load_archive_source(Store& store, const std::string& path,
                                             const std::optional<Platform>& platform, bool quiet);

// The name a loaded image goes by: its first name, else its id.
std::string loaded_image_name(const LoadedImage& image);

}  // namespace dabba::cli
