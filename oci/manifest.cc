#include "oci/manifest.h"

#include <nlohmann/json.hpp>

#include "common/error.h"

namespace dabba {
namespace {

using nlohmann::json;
namespace mt = media_type;

json parse_json(std::string_view bytes, const char* what) {
  try {
    json doc = json::parse(bytes);
    if (!doc.is_object()) throw Error(Errc::kCorrupt, std::string(what) + " is not a JSON object");
    return doc;
  } catch (const json::parse_error& e) {
    throw Error(Errc::kCorrupt,
                std::string(what) + " is not valid JSON (at byte " + std::to_string(e.byte) + ")");
  } catch (const json::exception&) {  // a number out of range, say
    throw Error(Errc::kCorrupt, std::string(what) + " is not valid JSON");
  }
}

std::string string_field(const json& doc, const char* name) {
  auto it = doc.find(name);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// "application/vnd.oci.image.manifest.v1+json; charset=utf-8" -> the part before ';', trimmed.
std::string bare_media_type(std::string_view content_type) {
  std::string_view v = content_type.substr(0, content_type.find(';'));
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  return std::string(v);
}

[[noreturn]] void refuse_schema1() {
  throw Error(Errc::kUnsupported,
              "the registry serves this image as a Docker schema 1 manifest, a format deprecated "
              "since 2017 that dabba does not read",
              0, "push the image again with a current tool (docker, podman, skopeo, crane)");
}

std::map<std::string, std::string> string_map(const json& doc, const char* name) {
  std::map<std::string, std::string> out;
  auto it = doc.find(name);
  if (it == doc.end() || !it->is_object()) return out;
  for (auto e = it->begin(); e != it->end(); ++e)
    if (e.value().is_string()) out[e.key()] = e.value().get<std::string>();
  return out;
}

Descriptor parse_descriptor(const json& j, const std::string& where) {
  if (!j.is_object()) throw Error(Errc::kCorrupt, where + " is not an object");
  Descriptor d;
  d.media_type = string_field(j, "mediaType");
  std::string digest = string_field(j, "digest");
  if (!Digest::try_parse(digest, d.digest)) {
    if (digest.rfind("sha256:", 0) != 0 && digest.find(':') != std::string::npos)
      throw Error(Errc::kUnsupported, where + " uses digest algorithm '" +
                                          digest.substr(0, digest.find(':')) +
                                          "'; dabba supports sha256");
    throw Error(Errc::kCorrupt, where + " has an invalid digest '" + digest.substr(0, 80) + "'");
  }
  auto size = j.find("size");
  if (size == j.end() || !size->is_number_integer() || size->get<int64_t>() < 0)
    throw Error(Errc::kCorrupt, where + " has no valid size");
  d.size = size->get<int64_t>();
  if (auto urls = j.find("urls"); urls != j.end() && urls->is_array())
    for (const json& u : *urls)
      if (u.is_string()) d.urls.push_back(u.get<std::string>());
  if (auto p = j.find("platform"); p != j.end() && p->is_object()) {
    Platform platform;
    platform.os = string_field(*p, "os");
    platform.architecture = string_field(*p, "architecture");
    platform.variant = string_field(*p, "variant");
    d.platform = platform;
  }
  d.annotations = string_map(j, "annotations");
  return d;
}

bool is_image_manifest_type(std::string_view t) {
  return t == mt::kOciManifest || t == mt::kDockerManifest;
}
bool is_index_type(std::string_view t) {
  return t == mt::kOciIndex || t == mt::kDockerManifestList;
}

std::string media_type_of(const json& doc, std::string_view content_type) {
  std::string declared = string_field(doc, "mediaType");
  if (!declared.empty()) return declared;
  std::string header = bare_media_type(content_type);
  if (is_image_manifest_type(header) || is_index_type(header) || header == mt::kDockerSchema1 ||
      header == mt::kDockerSchema1Signed)
    return header;
  // OCI made mediaType optional at first: go by the shape.
  auto version = doc.find("schemaVersion");
  if (version != doc.end() && version->is_number_integer() && version->get<int>() == 1)
    return std::string(mt::kDockerSchema1);
  if (doc.contains("manifests")) return std::string(mt::kOciIndex);
  if (doc.contains("config") && doc.contains("layers")) return std::string(mt::kOciManifest);
  return header;
}

}  // namespace

Compression layer_compression(std::string_view t) {
  if (t == mt::kOciLayerGzip || t == mt::kDockerLayer) return Compression::kGzip;
  if (t == mt::kOciLayerZstd) return Compression::kZstd;
  if (t == mt::kOciLayer || t == mt::kDockerLayerUncompressed) return Compression::kNone;
  if (t == mt::kDockerForeignLayer ||
      t.substr(0, mt::kOciNondistributablePrefix.size()) == mt::kOciNondistributablePrefix)
    throw Error(Errc::kUnsupported,
                "non-distributable (foreign) layer of media type " + std::string(t) +
                    ": its content is not in the registry (typically a Windows base layer)",
                0, "dabba runs Linux images whose layers the registry serves");
  throw Error(Errc::kUnsupported, "layer media type '" + std::string(t) + "' is not a tar layer");
}

std::string manifest_media_type(std::string_view bytes, std::string_view content_type) {
  return media_type_of(parse_json(bytes, "manifest"), content_type);
}

ManifestKind manifest_kind(std::string_view bytes, std::string_view content_type) {
  std::string t = manifest_media_type(bytes, content_type);
  if (is_image_manifest_type(t)) return ManifestKind::kImage;
  if (is_index_type(t)) return ManifestKind::kIndex;
  if (t == mt::kDockerSchema1 || t == mt::kDockerSchema1Signed) refuse_schema1();
  throw Error(Errc::kUnsupported, "manifest of media type '" +
                                      (t.empty() ? std::string("(none)") : t) +
                                      "' is not an image or an image index");
}

ImageManifest parse_image_manifest(std::string_view bytes, std::string_view content_type) {
  json doc = parse_json(bytes, "manifest");
  ImageManifest m;
  m.media_type = media_type_of(doc, content_type);
  if (m.media_type == mt::kDockerSchema1 || m.media_type == mt::kDockerSchema1Signed)
    refuse_schema1();
  if (!is_image_manifest_type(m.media_type))
    throw Error(Errc::kUnsupported,
                "manifest of media type '" + m.media_type + "' is not an image manifest");
  auto version = doc.find("schemaVersion");
  if (version == doc.end() || !version->is_number_integer() || version->get<int>() != 2)
    throw Error(Errc::kCorrupt, "image manifest without schemaVersion 2");
  auto config = doc.find("config");
  if (config == doc.end()) throw Error(Errc::kCorrupt, "image manifest without a config");
  m.config = parse_descriptor(*config, "the manifest's config");
  if (m.config.media_type != mt::kOciConfig && m.config.media_type != mt::kDockerConfig)
    throw Error(Errc::kUnsupported, "not a container image: its config has media type '" +
                                        m.config.media_type +
                                        "' (an artifact such as a Helm chart or a signature)");
  auto layers = doc.find("layers");
  if (layers == doc.end() || !layers->is_array())
    throw Error(Errc::kCorrupt, "image manifest without a layers array");
  for (size_t i = 0; i < layers->size(); ++i) {
    std::string where = "layer " + std::to_string(i + 1);
    ManifestLayer layer;
    layer.blob = parse_descriptor((*layers)[i], where);
    where += " (" + layer.blob.digest.str() + ")";
    layer.compression =
        with_context(where, [&] { return layer_compression(layer.blob.media_type); });
    if (!layer.blob.urls.empty())
      throw Error(Errc::kUnsupported,
                  where + " lists external URLs: a non-distributable layer dabba does not fetch");
    m.layers.push_back(std::move(layer));
  }
  m.annotations = string_map(doc, "annotations");
  return m;
}

ImageIndex parse_image_index(std::string_view bytes, std::string_view content_type) {
  json doc = parse_json(bytes, "image index");
  ImageIndex index;
  index.media_type = media_type_of(doc, content_type);
  if (!is_index_type(index.media_type))
    throw Error(Errc::kUnsupported,
                "manifest of media type '" + index.media_type + "' is not an image index");
  auto manifests = doc.find("manifests");
  if (manifests == doc.end() || !manifests->is_array())
    throw Error(Errc::kCorrupt, "image index without a manifests array");
  for (size_t i = 0; i < manifests->size(); ++i)
    index.manifests.push_back(
        parse_descriptor((*manifests)[i], "image index entry " + std::to_string(i + 1)));
  return index;
}

const Descriptor& select_manifest(const ImageIndex& index, const Platform& wanted) {
  const Descriptor* best = nullptr;
  int best_rank = -1;
  std::string available;
  for (const Descriptor& d : index.manifests) {
    if (!d.platform || !is_image_manifest_type(d.media_type.empty() ? std::string(mt::kOciManifest)
                                                                    : d.media_type))
      continue;
    // Attestations and signatures ride in indexes as unknown/unknown.
    if (d.platform->os == "unknown" || d.platform->os.empty()) continue;
    if (!available.empty()) available += ", ";
    available += d.platform->str();
    int rank = platform_match_rank(*d.platform, wanted);
    if (rank >= 0 && (best == nullptr || rank < best_rank)) {
      best = &d;
      best_rank = rank;
    }
  }
  if (best != nullptr) return *best;
  throw Error(Errc::kNotFound,
              "no image for platform " + wanted.str() + " in the index; it has " +
                  (available.empty() ? std::string("no platform-specific images") : available),
              0, "pick one of those with --platform os/arch[/variant]");
}

}  // namespace dabba
