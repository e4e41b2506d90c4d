// Writing image manifests (a push builds one when it changes the format or a layer's
// compression): OCI image manifests and Docker schema 2 manifests, and the media types each
// format gives configs and layers.
#pragma once

#include <string>
#include <string_view>

#include "oci/compression.h"
#include "oci/manifest.h"

namespace dabba {

enum class ManifestFormat { kOci, kDocker };

// "oci" or "v2s2" (podman's --format names; "docker" too). Throws Error{kInvalidArgument}.
ManifestFormat parse_manifest_format(std::string_view text);
// The format of a manifest media type; throws Error{kUnsupported} for an index or schema 1.
ManifestFormat manifest_format_of(std::string_view manifest_media_type);

std::string_view manifest_media_type_for(ManifestFormat f);
std::string_view config_media_type_for(ManifestFormat f);
// Throws Error{kUnsupported} for zstd in a Docker manifest (schema 2 has no zstd media type).
std::string_view layer_media_type_for(ManifestFormat f, Compression c);

// The JSON of m: schemaVersion 2, mediaType, config, layers (with urls and annotations when
// present) and annotations.
std::string serialize_image_manifest(const ImageManifest& m);

}  // namespace dabba
