#include "oci/manifest_writer.h"

#include <nlohmann/json.hpp>

#include "common/error.h"

namespace dabba {
namespace {

using nlohmann::ordered_json;

ordered_json descriptor_json(const Descriptor& d) {
  ordered_json out;
  out["mediaType"] = d.media_type;
  out["digest"] = d.digest.str();
  out["size"] = d.size;
  if (!d.urls.empty()) out["urls"] = d.urls;
  if (!d.annotations.empty()) out["annotations"] = d.annotations;
  return out;
}

}  // namespace

ManifestFormat parse_manifest_format(std::string_view text) {
  if (text == "oci") return ManifestFormat::kOci;
  if (text == "v2s2" || text == "docker") return ManifestFormat::kDocker;
  if (text == "v2s1")
    throw Error(Errc::kUnsupported, "manifest format v2s1 (Docker schema 1) is not supported", 0,
                "use oci or v2s2");
  throw Error(Errc::kInvalidArgument, "unknown manifest format '" + std::string(text) + "'", 0,
              "use oci or v2s2");
}

ManifestFormat manifest_format_of(std::string_view manifest_media_type) {
  if (manifest_media_type == media_type::kOciManifest) return ManifestFormat::kOci;
  if (manifest_media_type == media_type::kDockerManifest) return ManifestFormat::kDocker;
  throw Error(Errc::kUnsupported,
              "not an image manifest: " + std::string(manifest_media_type));
}

std::string_view manifest_media_type_for(ManifestFormat f) {
  return f == ManifestFormat::kOci ? media_type::kOciManifest : media_type::kDockerManifest;
}

std::string_view config_media_type_for(ManifestFormat f) {
  return f == ManifestFormat::kOci ? media_type::kOciConfig : media_type::kDockerConfig;
}

std::string_view layer_media_type_for(ManifestFormat f, Compression c) {
  if (f == ManifestFormat::kOci) {
    switch (c) {
      case Compression::kGzip:
        return media_type::kOciLayerGzip;
      case Compression::kZstd:
        return media_type::kOciLayerZstd;
      case Compression::kNone:
        return media_type::kOciLayer;
    }
  }
  switch (c) {
    case Compression::kGzip:
      return media_type::kDockerLayer;
    case Compression::kNone:
      return media_type::kDockerLayerUncompressed;
    case Compression::kZstd:
      break;
  }
  throw Error(Errc::kUnsupported, "a Docker schema 2 manifest (v2s2) cannot hold zstd layers", 0,
              "push with --format oci, or with --compression-format gzip");
}

std::string serialize_image_manifest(const ImageManifest& m) {
  ordered_json doc;
  doc["schemaVersion"] = 2;
  doc["mediaType"] = m.media_type;
  doc["config"] = descriptor_json(m.config);
  doc["layers"] = ordered_json::array();
  for (const ManifestLayer& l : m.layers) doc["layers"].push_back(descriptor_json(l.blob));
  if (!m.annotations.empty()) doc["annotations"] = m.annotations;
  return doc.dump();
}

}  // namespace dabba
