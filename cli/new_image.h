// Images made here (commit, import): a config and a manifest written for layers already in the
// store, stored as blobs, and the image recorded under its names, as a pull would record it.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "store/lease.h"
#include "store/records.h"
#include "store/store.h"

namespace dabba::cli {

enum class ManifestFormat { kOci, kDocker };
// "oci" or "docker" (podman's -f/--format of commit); throws Error{kInvalidArgument}.
ManifestFormat parse_manifest_format(const std::string& text);

// config: the whole image config; its rootfs is set from layers here. layers: base first, each
// with its blob digest, diff_id, compressed size and media type (converted to the manifest
// format's). names: stored names (tag_name form); none gives the image a dangling name. The
// layers must be in the store, pinned by lease until the image holds them.
ImageRecord store_new_image(Store& store, nlohmann::json config,
                            const std::vector<ImageLayer>& layers, ManifestFormat format,
                            const std::vector<std::string>& names, const Lease& lease);

// "2024-05-01T12:34:56.123456789Z" for now.
std::string rfc3339_nano_now();

}  // namespace dabba::cli
