// Layers owned for a nested user namespace (--userns=keep-id|nomap|auto, --uidmap/--gidmap).
//
// A layer's files belong to the ids of dabba's own namespace, which a default container shares:
// a file the image gives to uid X is owned by X there, and the container sees X. A container
// whose namespace is nested in dabba's with another map M sees that file as M's inside id of X
// (keep-id: root's files as your uid). The kernel cannot idmap an overlay mounted in a user
// namespace, so, as containers/storage does without idmapped mounts, such a container runs on
// copies of its layers whose owners are shifted through M (X becomes M's outside id of X; an id
// M does not map stays), made once per map and layer:
//   <root>/layers-mapped/<map key>/<diff_id hex>
// built in <root>/tmp/mapped-* and renamed into place (a crash leaves only a temp dir gc
// removes; a concurrent maker's copy wins and ours is dropped). gc removes a layer's copies with
// the layer, and copies whose layer is gone.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "common/idmap.h"
#include "oci/digest.h"

namespace dabba {

class StoreLayout;

// The 16-hex key of a map (its uid and gid lines hashed).
std::string id_map_key(const IdMap& map);

// The copy of layer diff_id (stored at layout.layer_dir) for map, made if missing. Runs in dabba's
// namespace (it chowns to any of its ids). Throws Error naming the layer.
std::string mapped_layer_dir(const StoreLayout& layout, const Digest& diff_id, const IdMap& map);

// gc: removes the copies of layers that are gone (is_layer: whether a diff_id hex is a stored
// layer). Returns the bytes freed.
uint64_t remove_stale_mapped_layers(const StoreLayout& layout,
                                    const std::function<bool(const std::string&)>& is_layer);

}  // namespace dabba
