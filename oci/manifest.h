// Manifests as registries serve them: OCI image manifests and Docker schema 2 manifests (one
// image: a config and layers), OCI indexes and Docker manifest lists (one image per platform).
// Docker schema 1 and non-distributable ("foreign") layers are refused with a clear message.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "oci/compression.h"
#include "oci/digest.h"
#include "oci/platform.h"

namespace dabba {

namespace media_type {
inline constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kDockerManifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kDockerManifestList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view kDockerSchema1 =
    "application/vnd.docker.distribution.manifest.v1+json";
inline constexpr std::string_view kDockerSchema1Signed =
    "application/vnd.docker.distribution.manifest.v1+prettyjws";
inline constexpr std::string_view kOciConfig = "application/vnd.oci.image.config.v1+json";
inline constexpr std::string_view kDockerConfig = "application/vnd.docker.container.image.v1+json";
inline constexpr std::string_view kOciLayer = "application/vnd.oci.image.layer.v1.tar";
inline constexpr std::string_view kOciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr std::string_view kOciLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";
inline constexpr std::string_view kDockerLayer =
    "application/vnd.docker.image.rootfs.diff.tar.gzip";
inline constexpr std::string_view kDockerLayerUncompressed =
    "application/vnd.docker.image.rootfs.diff.tar";
inline constexpr std::string_view kDockerForeignLayer =
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
inline constexpr std::string_view kOciNondistributablePrefix =
    "application/vnd.oci.image.layer.nondistributable.";
}  // namespace media_type

// The one Accept header for manifest requests: every kind we can read.
inline constexpr const char* kManifestAccept =
    "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, "
    "application/vnd.docker.distribution.manifest.list.v2+json, "
    "application/vnd.docker.distribution.manifest.v2+json";

// Manifests larger than this are refused (as containerd does): they are held in memory.
inline constexpr size_t kMaxManifestSize = 4 << 20;

// Compression (none, gzip, zstd) is the store's enum, from decompress.h: the layer media type
// gives the expected one, the stream's magic bytes decide.

struct Descriptor {
  std::string media_type;
  Digest digest;
  int64_t size = 0;
  std::optional<Platform> platform;  // in indexes
  std::vector<std::string> urls;
  std::map<std::string, std::string> annotations;
};

struct ManifestLayer {
  Descriptor blob;
  Compression compression = Compression::kGzip;
};

struct ImageManifest {
  std::string media_type;  // OCI manifest or Docker schema 2
  Descriptor config;
  std::vector<ManifestLayer> layers;
  std::map<std::string, std::string> annotations;
};

struct ImageIndex {
  std::string media_type;  // OCI index or Docker manifest list
  std::vector<Descriptor> manifests;
};

enum class ManifestKind { kImage, kIndex };

// Which kind bytes are, from their "mediaType", else content_type (the Content-Type header),
// else their shape. Throws Error{kUnsupported} for schema 1 and unknown kinds, Error{kCorrupt}
// for bytes that are not a JSON object.
ManifestKind manifest_kind(std::string_view bytes, std::string_view content_type = {});
// The media type bytes declare, else content_type, else the one their shape implies.
std::string manifest_media_type(std::string_view bytes, std::string_view content_type = {});

// Parse and validate. An image whose config is not an image config (a Helm chart, a signature)
// or that has a layer we cannot unpack (foreign, non-distributable, unknown media type) is
// refused with Error{kUnsupported} naming the layer and the media type.
ImageManifest parse_image_manifest(std::string_view bytes, std::string_view content_type = {});
ImageIndex parse_image_index(std::string_view bytes, std::string_view content_type = {});

// The compression a layer media type implies; throws Error{kUnsupported} for the others.
Compression layer_compression(std::string_view layer_media_type);

// The manifest in index for wanted: an exact match first, else the closest runnable variant,
// first in index order among equals. Throws Error{kNotFound} listing the platforms the index has.
const Descriptor& select_manifest(const ImageIndex& index, const Platform& wanted);

}  // namespace dabba
