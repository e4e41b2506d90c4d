#include "cli/new_image.h"

#include <time.h>

#include "common/error.h"
#include "common/human.h"
#include "oci/manifest.h"
#include "store/image_names.h"

namespace dabba::cli {
namespace {

using nlohmann::json;

std::string layer_media_type(const ImageLayer& l, ManifestFormat format) {
  Compression c = Compression::kGzip;
  try {
    c = layer_compression(l.media_type);
  } catch (const Error&) {
    // an unknown media type: keep gzip, the blob's magic bytes decide when it is read
  }
  if (format == ManifestFormat::kDocker) {
    if (c == Compression::kZstd)
      throw Error(Errc::kUnsupported, "layer " + l.blob.str() + " is zstd-compressed", 0,
                  "the Docker format has no zstd layers: use --format oci");
    return std::string(c == Compression::kNone ? media_type::kDockerLayerUncompressed
                                               : media_type::kDockerLayer);
  }
  return std::string(c == Compression::kNone   ? media_type::kOciLayer
                     : c == Compression::kZstd ? media_type::kOciLayerZstd
                                               : media_type::kOciLayerGzip);
}

}  // namespace

ManifestFormat parse_manifest_format(const std::string& text) {
  if (text == "oci") return ManifestFormat::kOci;
  if (text == "docker" || text == "v2s2") return ManifestFormat::kDocker;
  throw Error(Errc::kInvalidArgument, "unknown image format \"" + text + "\"", 0,
              "use oci or docker");
}

std::string rfc3339_nano_now() {
  struct timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  std::string s = format_rfc3339(ts.tv_sec);  // "...:56Z"
  char frac[16];
  std::snprintf(frac, sizeof frac, ".%09ld", ts.tv_nsec);
  return s.substr(0, s.size() - 1) + frac + "Z";
}

ImageRecord store_new_image(Store& store, json config, const std::vector<ImageLayer>& layers,
                            ManifestFormat format, const std::vector<std::string>& names,
                            const Lease& lease) {
  json diff_ids = json::array();
  json manifest_layers = json::array();
  std::vector<ImageLayer> record_layers;
  for (const ImageLayer& l : layers) {
    diff_ids.push_back(l.diff_id.str());
    ImageLayer r = l;
    r.media_type = layer_media_type(l, format);
    manifest_layers.push_back({{"mediaType", r.media_type}, {"digest", r.blob.str()},
                               {"size", r.size}});
    record_layers.push_back(std::move(r));
  }
  config["rootfs"] = {{"type", "layers"}, {"diff_ids", diff_ids}};
  const std::string config_bytes = config.dump();
  const Digest config_digest = Digest::of(config_bytes);
  const bool docker = format == ManifestFormat::kDocker;
  json manifest = {{"schemaVersion", 2},
                   {"mediaType", docker ? media_type::kDockerManifest : media_type::kOciManifest},
                   {"config",
                    {{"mediaType", docker ? media_type::kDockerConfig : media_type::kOciConfig},
                     {"digest", config_digest.str()},
                     {"size", config_bytes.size()}}},
                   {"layers", manifest_layers}};
  const std::string manifest_bytes = manifest.dump();
  store.put_blob(config_digest, config_bytes, lease);
  ImageRecord rec;
  rec.manifest = Digest::of(manifest_bytes);
  store.put_blob(rec.manifest, manifest_bytes, lease);
  rec.media_type = std::string(docker ? media_type::kDockerManifest : media_type::kOciManifest);
  rec.config = config_digest;
  rec.layers = std::move(record_layers);
  rec.created = parse_rfc3339(config.value("created", ""));
  std::string os = config.value("os", ""), arch = config.value("architecture", "");
  if (!os.empty() && !arch.empty()) {
    rec.platform = os + "/" + arch;
    if (std::string v = config.value("variant", ""); !v.empty()) rec.platform += "/" + v;
  }
  std::vector<std::string> stored = names;
  if (stored.empty()) stored.push_back(dangling_name(rec.manifest));
  return add_named_image(store, rec, stored);
}

}  // namespace dabba::cli
