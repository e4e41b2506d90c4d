// What `image prune` and `system prune` share.
#pragma once

#include <string>
#include <vector>

#include "store/store.h"

namespace dabba::cli {

// Drops the names of dangling images (all: of every image) that no container uses and that pass
// the filters (label=, until=); returns the ids of the images that went. Files stay for gc.
std::vector<std::string> prune_images(Store& store, bool all,
                                      const std::vector<std::string>& filters);

}  // namespace dabba::cli
