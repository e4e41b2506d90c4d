#include "pull/image_load.h"

#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "common/fault_point.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/human.h"
#include "common/log.h"
#include "store/unpack/decompress.h"
#include "pull/image_archive.h"
#include "oci/image_config.h"
#include "store/image_names.h"
#include "oci/image_ref.h"
#include "oci/manifest.h"

namespace dabba {
namespace {

// The same layers by content (diff_ids), whatever their blobs.
bool same_layers(const ImageRecord& a, const ImageRecord& b) {
  if (a.layers.size() != b.layers.size()) return false;
  for (size_t i = 0; i < a.layers.size(); ++i)
    if (a.layers[i].diff_id != b.layers[i].diff_id) return false;
  return true;
}

using nlohmann::json;

// One image as the archive describes it, before anything is stored.
struct PlannedImage {
  ImageRecord record;
  std::string manifest_bytes;  // empty for a docker-archive until synthesized
  std::string config_bytes;
  std::vector<std::string> names;
  std::vector<std::string> layer_paths;   // per manifest layer
  std::vector<Compression> compressions;  // docker-archive only
  bool synthesize_manifest = false;
};

std::string blob_path(const Digest& d) { return "blobs/" + d.algorithm() + "/" + d.hex(); }

json parse_json(const std::string& text, const std::string& what) {
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    throw Error(Errc::kCorrupt, what + " is not valid JSON: " + e.what());
  }
}

std::string read_blob(ImageArchive& archive, const Digest& d) {
  auto bytes = archive.small_file(blob_path(d));
  if (!bytes) throw Error(Errc::kNotFound, "blob " + d.str() + " is missing from the archive");
  Digest actual = Digest::of(*bytes);
  if (actual != d)
    throw Error(Errc::kDigestMismatch,
                "blob " + d.str() + " in the archive hashes to " + actual.str());
  return std::move(*bytes);
}

// A stored name for one of the archive's names; "" when it is not a valid reference.
std::string stored_name(const std::string& text) {
  try {
    ImageRef ref = ImageRef::parse(text);
    return ref.has_digest() ? digest_name(ref, ref.digest()) : tag_name(ref);
  } catch (const Error& e) {
    log_warn("ignoring the image name '" + text + "' in the archive: " + e.what());
    return {};
  }
}

// "busybox.tar.gz" -> "busybox": the repository for a layout that names only a tag.
std::string archive_base_name(const std::string& path) {
  std::string base = basename_of(path);
  while (!base.empty() && base.back() == '/') base.pop_back();
  for (const char* ext : {".tar.gz", ".tar.zst", ".tar.xz", ".tgz", ".tar", ".oci"})
    if (base.size() > std::string_view(ext).size() && base.ends_with(ext))
      base.resize(base.size() - std::string_view(ext).size());
  std::string out;
  for (char c : base) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out +=
        (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-') ? c : '-';
  }
  return out;
}

ImageRecord record_for(const Digest& manifest, const std::string& media_type,
                       const ImageManifest& m, const ImageConfig& config) {
  ImageRecord r;
  r.manifest = manifest;
  r.media_type = media_type;
  r.config = m.config.digest;
  for (size_t i = 0; i < m.layers.size(); ++i)
    r.layers.push_back({m.layers[i].blob.digest, config.diff_ids[i],
                        static_cast<uint64_t>(m.layers[i].blob.size), m.layers[i].blob.media_type});
  r.created = parse_rfc3339(config.created);
  if (!config.platform.os.empty() && !config.platform.architecture.empty())
    r.platform = config.platform.normalized().str();
  return r;
}

// RepoTags of docker's manifest.json (Docker 25+ writes one beside its OCI layout) by config.
std::map<Digest, std::vector<std::string>> docker_repo_tags(ImageArchive& archive) {
  std::map<Digest, std::vector<std::string>> out;
  auto text = archive.small_file("manifest.json");
  if (!text) return out;
  json doc = parse_json(*text, archive.where() + ": manifest.json");
  if (!doc.is_array()) return out;
  for (const json& item : doc) {
    if (!item.is_object() || !item.contains("Config") || !item["Config"].is_string()) continue;
    auto config = archive.small_file(item["Config"].get<std::string>());
    if (!config) continue;
    if (auto tags = item.find("RepoTags"); tags != item.end() && tags->is_array())
      for (const json& t : *tags)
        if (t.is_string()) out[Digest::of(*config)].push_back(t.get<std::string>());
  }
  return out;
}

std::vector<PlannedImage> plan_oci(ImageArchive& archive, const std::string& index_text,
                                   const Platform& wanted) {
  json index = parse_json(index_text, archive.where() + ": index.json");
  if (!index.is_object() || !index.contains("manifests") || !index["manifests"].is_array())
    throw Error(Errc::kCorrupt, archive.where() + ": index.json has no manifests");
  auto repo_tags = docker_repo_tags(archive);
  std::vector<PlannedImage> out;
  for (const json& desc : index["manifests"]) {
    if (!desc.is_object()) continue;
    Digest digest = Digest::parse(desc.value("digest", ""));
    std::string media_type = desc.value("mediaType", "");
    PlannedImage p;
    with_context("manifest " + digest.str(), [&] {
      std::string bytes = read_blob(archive, digest);
      if (manifest_kind(bytes, media_type) == ManifestKind::kIndex) {
        ImageIndex idx = parse_image_index(bytes, media_type);
        const Descriptor& chosen = select_manifest(idx, wanted);
        digest = chosen.digest;
        media_type = chosen.media_type;
        bytes = read_blob(archive, digest);
      }
      ImageManifest m = parse_image_manifest(bytes, media_type);
      p.config_bytes = read_blob(archive, m.config.digest);
      ImageConfig config = parse_image_config(p.config_bytes);
      check_layers_match(m, config);
      p.record = record_for(digest, m.media_type, m, config);
      p.manifest_bytes = std::move(bytes);
      for (const auto& l : m.layers) p.layer_paths.push_back(blob_path(l.blob.digest));
    });
    std::string name;
    json annotations = desc.value("annotations", json::object());
    std::string containerd_name = annotations.value("io.containerd.image.name", "");
    std::string ref_name = annotations.value("org.opencontainers.image.ref.name", "");
    if (!containerd_name.empty()) {
      name = stored_name(containerd_name);
    } else if (ref_name.find_first_of("/:@") != std::string::npos) {
      name = stored_name(ref_name);
    } else if (!ref_name.empty()) {
      name = stored_name("localhost/" + archive_base_name(archive.where()) + ":" + ref_name);
    }
    if (!name.empty()) p.names.push_back(name);
    if (p.names.empty())
      for (const auto& t : repo_tags[p.record.config])
        if (std::string n = stored_name(t); !n.empty()) p.names.push_back(n);
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<PlannedImage> plan_docker(ImageArchive& archive, const std::string& manifest_text) {
  json doc = parse_json(manifest_text, archive.where() + ": manifest.json");
  if (!doc.is_array())
    throw Error(Errc::kCorrupt, archive.where() + ": manifest.json is not a list of images");
  std::vector<PlannedImage> out;
  for (const json& item : doc) {
    PlannedImage p;
    std::string config_path = item.value("Config", "");
    auto config_bytes = archive.small_file(config_path);
    if (config_path.empty() || !config_bytes)
      throw Error(Errc::kCorrupt,
                  archive.where() + ": manifest.json names a missing config '" + config_path + "'");
    p.config_bytes = std::move(*config_bytes);
    ImageConfig config =
        with_context(config_path, [&] { return parse_image_config(p.config_bytes); });
    json layers = item.value("Layers", json::array());
    if (!layers.is_array() || layers.size() != config.diff_ids.size())
      throw Error(Errc::kCorrupt, archive.where() + ": " + config_path + " lists " +
                                      std::to_string(config.diff_ids.size()) +
                                      " layers, manifest.json " + std::to_string(layers.size()));
    p.record.config = Digest::of(p.config_bytes);
    p.record.created = parse_rfc3339(config.created);
    if (!config.platform.os.empty() && !config.platform.architecture.empty())
      p.record.platform = config.platform.normalized().str();
    for (size_t i = 0; i < layers.size(); ++i) {
      std::string path = layers[i].is_string() ? layers[i].get<std::string>() : "";
      auto info = archive.info(path);
      if (!info) throw Error(Errc::kCorrupt, archive.where() + ": layer '" + path + "' is missing");
      Compression c = detect_compression(reinterpret_cast<const uint8_t*>(info->head.data()),
                                         info->head.size());
      ImageLayer layer;
      layer.diff_id = config.diff_ids[i];
      layer.size = info->size;
      std::string clean = clean_archive_path(path);
      Digest named;
      if (clean.starts_with("blobs/sha256/") &&
          Digest::try_parse("sha256:" + clean.substr(13), named))
        layer.blob = named;
      else if (c == Compression::kNone)
        layer.blob = layer.diff_id;  // an uncompressed layer's blob is its tar
      // else: hashed before the ingest (load_images)
      layer.media_type = std::string(c == Compression::kNone ? media_type::kDockerLayerUncompressed
                                     : c == Compression::kGzip ? media_type::kDockerLayer
                                                               : media_type::kOciLayerZstd);
      p.record.layers.push_back(std::move(layer));
      p.layer_paths.push_back(path);
    }
    p.synthesize_manifest = true;
    if (auto tags = item.find("RepoTags"); tags != item.end() && tags->is_array())
      for (const json& t : *tags)
        if (t.is_string())
          if (std::string n = stored_name(t.get<std::string>()); !n.empty()) p.names.push_back(n);
    out.push_back(std::move(p));
  }
  return out;
}

// A `dir:` layout (skopeo copy ... dir:D, podman save --format docker-dir): manifest.json is the
// image's manifest, every blob a file named by its hex digest. It carries no name.
std::vector<PlannedImage> plan_dir(ImageArchive& archive, const std::string& manifest_text) {
  PlannedImage p;
  with_context(archive.where() + ": manifest.json", [&] {
    ImageManifest m = parse_image_manifest(manifest_text);
    auto config = archive.small_file(m.config.digest.hex());
    if (!config) throw Error(Errc::kCorrupt, "config " + m.config.digest.str() + " is missing");
    if (Digest::of(*config) != m.config.digest)
      throw Error(Errc::kDigestMismatch, "config " + m.config.digest.str() + " does not match");
    p.config_bytes = std::move(*config);
    ImageConfig c = parse_image_config(p.config_bytes);
    check_layers_match(m, c);
    p.record = record_for(Digest::of(manifest_text), m.media_type, m, c);
    p.manifest_bytes = manifest_text;
    for (const auto& l : m.layers) p.layer_paths.push_back(l.blob.digest.hex());
  });
  return {std::move(p)};
}

// A Docker schema 2 manifest for an image that came without one.
void synthesize_manifest(PlannedImage& p) {
  json layers = json::array();
  for (const ImageLayer& l : p.record.layers)
    layers.push_back({{"mediaType", l.media_type}, {"size", l.size}, {"digest", l.blob.str()}});
  json m = {{"schemaVersion", 2},
            {"mediaType", media_type::kDockerManifest},
            {"config",
             {{"mediaType", media_type::kDockerConfig},
              {"size", p.config_bytes.size()},
              {"digest", p.record.config.str()}}},
            {"layers", layers}};
  p.manifest_bytes = m.dump();
  p.record.manifest = Digest::of(p.manifest_bytes);
  p.record.media_type = std::string(media_type::kDockerManifest);
}

class EmptySource final : public ByteSource {
 public:
  size_t read(void*, size_t) override { return 0; }
};

// The archive's bytes of one layer, counted for the progress display; Ctrl-C stops it.
class CountingSource final : public ByteSource {
 public:
  CountingSource(ByteSource& inner, size_t line, const LoadOptions& options)
      : inner_(inner), line_(line), options_(options) {}
  size_t read(void* buf, size_t size) override {
    if (options_.cancel != nullptr && options_.cancel->load())
      throw Error(Errc::kInterrupted, "interrupted");
    size_t n = inner_.read(buf, size);
    bytes_ += n;
    if (options_.progress) options_.progress->layer_bytes(line_, bytes_);
    return n;
  }

 private:
  ByteSource& inner_;
  size_t line_;
  const LoadOptions& options_;
  uint64_t bytes_ = 0;
};

}  // namespace

std::vector<LoadedImage> load_images(Store& store, const std::string& path,
                                     const LoadOptions& options) {
  return with_context("load " + path, [&] {
    // podman's phrase for what is no image archive, which scripts match on.
    const std::string not_an_archive =
        "payload does not match any of the supported image formats: oci-archive, oci-dir, "
        "docker-archive, docker-dir";
    std::unique_ptr<ImageArchive> archive;
    try {
      archive = ImageArchive::open(path);
    } catch (const Error& e) {
      if (e.code() != Errc::kCorrupt) throw;
      throw Error(Errc::kCorrupt, not_an_archive + " (" + e.what() + ")", 0,
                  "make one with `dabba save`, `podman save` or `skopeo copy`");
    }
    const Platform wanted = options.platform.value_or(Platform::host());
    std::vector<PlannedImage> images;
    if (auto index = archive->small_file("index.json")) {
      images = plan_oci(*archive, *index, wanted);
    } else if (auto manifest = archive->small_file("manifest.json")) {
      size_t first = manifest->find_first_not_of(" \t\r\n");
      if (first != std::string::npos && (*manifest)[first] == '{')
        images = plan_dir(*archive, *manifest);  // containers-image's dir: transport
      else
        images = plan_docker(*archive, *manifest);
    } else {
      throw Error(Errc::kInvalidArgument,
                  not_an_archive + " (neither index.json nor manifest.json)", 0,
                  "make one with `dabba save`, `podman save` or `skopeo copy`");
    }
    if (images.empty()) throw Error(Errc::kNotFound, "the archive holds no image");

    // Compressed layers of a docker archive carry no digest: hash them first (one extra read).
    std::map<std::string, Digest> hashed;
    std::set<std::string> to_hash;
    for (const auto& p : images)
      for (size_t i = 0; i < p.record.layers.size(); ++i)
        if (p.record.layers[i].blob.empty()) to_hash.insert(p.layer_paths[i]);
    archive->stream(to_hash, [&](const std::string& file, ByteSource& source) {
      Sha256 h;
      std::vector<char> buf(256 * 1024);
      while (size_t n = source.read(buf.data(), buf.size())) h.update(buf.data(), n);
      hashed[file] = h.finish();
    });
    for (auto& p : images) {
      for (size_t i = 0; i < p.record.layers.size(); ++i)
        if (p.record.layers[i].blob.empty()) p.record.layers[i].blob = hashed.at(p.layer_paths[i]);
      if (p.synthesize_manifest) synthesize_manifest(p);
    }

    // One ingest per distinct layer.
    struct Unit {
      LayerRequest request;
      std::string path;
      std::optional<LayerResult> result;
    };
    std::vector<Unit> units;
    std::map<Digest, size_t> by_diff;
    for (const auto& p : images)
      for (size_t i = 0; i < p.record.layers.size(); ++i) {
        const ImageLayer& l = p.record.layers[i];
        if (by_diff.emplace(l.diff_id, units.size()).second)
          units.push_back(
              {{l.blob, static_cast<int64_t>(l.size), l.diff_id}, p.layer_paths[i], std::nullopt});
      }
    if (options.progress) {
      std::vector<PullLayer> lines;
      for (const auto& u : units)
        lines.push_back({u.request.blob, u.request.diff_id, u.request.size});
      options.progress->layers(lines);
    }

    Lease lease = store.lease();
    auto ingest = [&](size_t k, ByteSource* source) {
      Unit& u = units[k];
      with_context("layer " + u.request.blob.str(), [&] {
        LayerIngest ingest = store.begin_layer(u.request, lease);
        if (ingest.complete()) {
          u.result = ingest.result();
          if (options.progress) options.progress->layer_reused(k);
          return;
        }
        if (source == nullptr) return;  // needs the archive's bytes: the stream pass below
        if (options.progress) options.progress->layer_started(k, 0);
        uint64_t have = ingest.resume_offset();
        if (u.request.size >= 0 && have == static_cast<uint64_t>(u.request.size)) {
          EmptySource nothing;
          u.result = ingest.run(nothing);  // whole on disk already (a stored blob)
        } else {
          if (have > 0) ingest.restart();  // reading the archive again costs what replaying would
          CountingSource counted(*source, k, options);
          u.result = ingest.run(counted);
        }
        if (options.progress) options.progress->layer_done(k, *u.result);
      });
    };
    std::set<std::string> to_stream;
    for (size_t k = 0; k < units.size(); ++k) {
      if (store.layer(units[k].request.diff_id)) ingest(k, nullptr);
      if (!units[k].result) {
        if (!archive->info(units[k].path))
          throw Error(Errc::kCorrupt,
                      "layer " + units[k].request.blob.str() + " is missing from the archive");
        to_stream.insert(units[k].path);
      }
    }
    std::map<std::string, size_t> unit_of_path;
    for (size_t k = 0; k < units.size(); ++k)
      if (!units[k].result) unit_of_path[units[k].path] = k;
    archive->stream(to_stream, [&](const std::string& file, ByteSource& source) {
      ingest(unit_of_path.at(file), &source);
    });
    for (const auto& u : units)
      if (!u.result)
        throw Error(Errc::kCorrupt, "layer " + u.request.blob.str() + " could not be read");
    if (options.cancel != nullptr && options.cancel->load())
      throw Error(Errc::kInterrupted, "interrupted");

    std::vector<LoadedImage> out;
    for (auto& p : images) {
      store.put_blob(p.record.manifest, p.manifest_bytes, lease);
      store.put_blob(p.record.config, p.config_bytes, lease);
    }
    fault_point("load-blobs-stored");
    for (auto& p : images) {
      // The image id is its config's digest, as podman's: an image the store has under another
      // manifest (a docker-archive's, written anew on save; a recompressed one) is that image,
      // and gets the names; the new manifest is left for gc.
      const ImageRecord* record = &p.record;
      std::optional<ImageRecord> same;
      try {
        same = store.resolve_image(p.record.config.hex());
      } catch (const Error& e) {
        if (e.code() != Errc::kNotFound) throw;
      }
      if (same && same->manifest != p.record.manifest && same_layers(*same, p.record))
        record = &*same;
      std::vector<std::string> names = p.names;
      if (names.empty()) names.push_back(dangling_name(record->manifest));
      out.push_back({add_named_image(store, *record, names), names});
    }
    lease.release();
    return out;
  });
}

}  // namespace dabba
