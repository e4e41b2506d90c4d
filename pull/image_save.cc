#include "pull/image_save.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "common/error.h"
#include "common/fs.h"
#include "oci/compression.h"
#include "oci/manifest.h"
#include "store/unpack/decompress.h"
#include "store/unpack/prefetch.h"

namespace dabba {
namespace {

using nlohmann::json;
using Write = std::function<void(const void* data, size_t size)>;

constexpr size_t kChunk = 1 << 20;

// Where the archive's files go: a tar stream or a directory.
class Output {
 public:
  virtual ~Output() = default;
  // A file of exactly size bytes, which fill writes through the Write it is given.
  virtual void file(const std::string& path, uint64_t size,
                    const std::function<void(const Write&)>& fill) = 0;
  // A copy of the file at source.
  virtual void copy(const std::string& path, const std::string& source, uint64_t size) {
    file(path, size, [&](const Write& write) {
      UniqueFd in = open_file(source, O_RDONLY);
      std::vector<char> buf(kChunk);
      for (;;) {
        ssize_t n = DABBA_SYSCALL(::read(in.get(), buf.data(), buf.size()), source);
        if (n == 0) break;
        write(buf.data(), static_cast<size_t>(n));
      }
    });
  }
  void text(const std::string& path, const std::string& data) {
    file(path, data.size(), [&](const Write& write) { write(data.data(), data.size()); });
  }
  virtual void finish() = 0;
};

class TarOutput final : public Output {
 public:
  explicit TarOutput(int fd) : a_(archive_write_new()) {
    if (!a_) throw Error(Errc::kFailed, "libarchive: out of memory");
    archive_write_set_format_pax_restricted(a_);
    archive_write_set_bytes_per_block(a_, kChunk);
    archive_write_set_bytes_in_last_block(a_, 1);
    check(archive_write_open_fd(a_, fd), "open");
  }
  ~TarOutput() override { archive_write_free(a_); }

  void file(const std::string& path, uint64_t size,
            const std::function<void(const Write&)>& fill) override {
    std::unique_ptr<struct archive_entry, void (*)(struct archive_entry*)> e(archive_entry_new(),
                                                                             archive_entry_free);
    archive_entry_set_pathname(e.get(), path.c_str());
    archive_entry_set_filetype(e.get(), AE_IFREG);
    archive_entry_set_perm(e.get(), 0444);
    archive_entry_set_size(e.get(), static_cast<la_int64_t>(size));
    archive_entry_set_mtime(e.get(), 0, 0);
    check(archive_write_header(a_, e.get()), path);
    uint64_t written = 0;
    fill([&](const void* data, size_t n) {
      if (written + n > size)
        throw Error(Errc::kCorrupt, path + " is longer than the " + std::to_string(size) +
                                        " bytes the store recorded for it");
      if (archive_write_data(a_, data, n) < 0) check(ARCHIVE_FATAL, path);
      written += n;
    });
    if (written != size)
      throw Error(Errc::kCorrupt, path + " has " + std::to_string(written) + " bytes, the store " +
                                      "recorded " + std::to_string(size));
  }

  void finish() override { check(archive_write_close(a_), "close"); }

 private:
  void check(int rc, const std::string& what) {
    if (rc >= ARCHIVE_WARN) return;
    const char* msg = archive_error_string(a_);
    throw Error(Errc::kFailed, "write the archive: " + what + ": " + (msg ? msg : "error"));
  }
  struct archive* a_;
};

class DirOutput final : public Output {
 public:
  explicit DirOutput(std::string dir) : dir_(std::move(dir)) { make_dirs(dir_, 0755); }

  void file(const std::string& path, uint64_t size,
            const std::function<void(const Write&)>& fill) override {
    std::string full = dir_ + "/" + path;
    make_dirs(dirname_of(full), 0755);
    UniqueFd fd = open_file(full, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    uint64_t written = 0;
    fill([&](const void* data, size_t n) {
      write_all(fd.get(), data, n);
      written += n;
    });
    if (written != size)
      throw Error(Errc::kCorrupt, path + " has " + std::to_string(written) + " bytes, expected " +
                                      std::to_string(size));
  }

  // In the kernel, without a round trip through user space.
  void copy(const std::string& path, const std::string& source, uint64_t size) override {
    std::string full = dir_ + "/" + path;
    make_dirs(dirname_of(full), 0755);
    UniqueFd in = open_file(source, O_RDONLY);
    UniqueFd out = open_file(full, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    uint64_t left = size;
    while (left > 0) {
      ssize_t n = ::copy_file_range(in.get(), nullptr, out.get(), nullptr, left, 0);
      if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL)) {
        out.reset();
        Output::copy(path, source, size);
        return;
      }
      if (n < 0) throw_errno("copy " + source + " to " + full);
      if (n == 0) throw Error(Errc::kCorrupt, source + " is shorter than " + std::to_string(size));
      left -= static_cast<uint64_t>(n);
    }
  }

  void finish() override {}

 private:
  std::string dir_;
};

// A layer's compressed blob as stored: the manifest's, else the one it was unpacked from.
struct StoredBlob {
  Digest digest;
  std::string path;
  uint64_t size = 0;
};

StoredBlob stored_blob(const Store& store, const ImageLayer& l) {
  if (auto b = store.blob(l.blob)) return {l.blob, store.blob_path(l.blob), b->size};
  if (auto layer = store.layer(l.diff_id); layer && !layer->blob.empty())
      if (auto b = store.blob(layer->blob)) return {layer->blob, store.blob_path(layer->blob), b->size};
  throw Error(Errc::kNotFound,
              "layer " + l.diff_id.str() + ": its compressed blob " + l.blob.str() +
                  " is not in the store (the layer was unpacked from another one, since removed)",
              0, "pull or load the image again to store its blobs");
}

void check_cancel(const SaveOptions& o) {
  if (o.cancel != nullptr && o.cancel->load()) throw Error(Errc::kInterrupted, "interrupted");
}

void say(const SaveOptions& o, const std::string& line) {
  if (o.progress) o.progress(line);
}

// The uncompressed tar of a layer, from its stored blob, streamed: inflated in a helper thread a
// few chunks ahead of this one, which writes (Prefetcher, as pull's unpack), so the two use two
// cores as `igzip -dc | cat` would.
void write_layer_tar(const Store& store, const ImageLayer& l, const SaveOptions& options,
                     const Write& write) {
  StoredBlob b = stored_blob(store, l);
  UniqueFd in = open_file(b.path, O_RDONLY);
  std::vector<uint8_t> inbuf(kChunk);
  ssize_t got = DABBA_SYSCALL(::read(in.get(), inbuf.data(), inbuf.size()), b.path);
  Compression c = detect_compression(inbuf.data(), static_cast<size_t>(got));
  std::unique_ptr<Decompressor> dec = make_decompressor(c);
  size_t len = static_cast<size_t>(got), pos = 0;
  bool eof = got == 0;
  // Runs in the helper thread: the next inflated bytes, 0 at the end.
  auto fill = [&](uint8_t* out, size_t cap) -> size_t {
    for (;;) {
      if (pos == len && !eof) {
        got = DABBA_SYSCALL(::read(in.get(), inbuf.data(), inbuf.size()), b.path);
        len = static_cast<size_t>(got);
        pos = 0;
        eof = got == 0;
      }
      Decompressor::Step s = dec->run(inbuf.data() + pos, len - pos, out, cap);
      pos += s.consumed;
      if (s.produced > 0) return s.produced;
      if (eof && pos == len) {
        if (!dec->finished())
          throw Error(Errc::kCorrupt, "the stored blob " + b.digest.str() + " ends early", 0,
                      "dabba check finds damaged blobs; pull the image again");
        return 0;
      }
    }
  };
  Prefetcher ahead(fill, kChunk);
  const uint8_t* data = nullptr;
  while (size_t n = ahead.next(&data)) {
    check_cancel(options);
    write(data, n);
  }
}

void save_docker_archive(const Store& store, const std::vector<SavedImage>& images,
                         const SaveOptions& options, Output& out) {
  json manifest = json::array();
  std::vector<std::pair<std::string, ImageLayer>> layers;  // file -> layer, first use first
  std::set<std::string> seen;
  for (const SavedImage& s : images) {
    json layer_files = json::array();
    for (const ImageLayer& l : s.image.layers) {
      std::string file = l.diff_id.hex() + ".tar";
      layer_files.push_back(file);
      if (seen.insert(file).second) layers.emplace_back(file, l);
    }
    manifest.push_back({{"Config", s.image.config.hex() + ".json"},
                        {"RepoTags", s.names},
                        {"Layers", layer_files}});
  }
  // The JSON first: a reader streaming the tar knows every image before the first layer.
  out.text("manifest.json", manifest.dump());
  std::set<Digest> configs;
  for (const SavedImage& s : images) {
    if (!configs.insert(s.image.config).second) continue;
    say(options, "Copying config " + s.image.config.str());
    out.text(s.image.config.hex() + ".json", store.read_blob(s.image.config));
  }
  for (const auto& entry : layers) {
    const auto& file = entry.first;  // not a structured binding: lambdas below capture them
    const auto& l = entry.second;
    auto info = store.layer(l.diff_id);
    if (!info) throw Error(Errc::kNotFound, "layer " + l.diff_id.str() + " is not in the store");
    say(options, "Copying blob " + l.diff_id.str());
    with_context("layer " + l.diff_id.str(), [&] {
      out.file(file, info->tar_size,
               [&](const Write& write) { write_layer_tar(store, l, options, write); });
    });
  }
}

// The manifest an image is saved with, and the blobs it names. The stored one when every layer's
// blob is stored; else a new one (the config, hence the image id, unchanged) naming the blob each
// layer was unpacked from, as podman writes a new manifest when it recompresses.
struct SavedManifest {
  std::string bytes;
  Digest digest;
  std::string media_type;
  std::vector<StoredBlob> layers;
};

// m's manifest written anew (Docker schema 2 or OCI) for image's config and these layer
// descriptors.
void set_new_manifest(const Store& store, const ImageRecord& image, bool docker, json layers,
                      SavedManifest& m) {
  m.media_type = std::string(docker ? media_type::kDockerManifest : media_type::kOciManifest);
  json doc = {{"schemaVersion", 2},
              {"mediaType", m.media_type},
              {"config",
               {{"mediaType", docker ? media_type::kDockerConfig : media_type::kOciConfig},
                {"digest", image.config.str()},
                {"size", store.blob(image.config)->size}}},
              {"layers", std::move(layers)}};
  m.bytes = doc.dump();
  m.digest = Digest::of(m.bytes);
}

SavedManifest manifest_for(const Store& store, const ImageRecord& image, bool docker) {
  SavedManifest m;
  bool all_stored = true;
  for (const ImageLayer& l : image.layers) {
    StoredBlob b = stored_blob(store, l);
    all_stored = all_stored && b.digest == l.blob;
    m.layers.push_back(std::move(b));
  }
  const bool docker_stored = image.media_type == media_type::kDockerManifest;
  if (all_stored && (!docker || docker_stored)) {
    m.bytes = store.read_blob(image.manifest);
    m.digest = image.manifest;
    m.media_type = image.media_type;
    return m;
  }
  json layers = json::array();
  for (StoredBlob& b : m.layers) {
    UniqueFd fd = open_file(b.path, O_RDONLY);
    uint8_t head[8];
    ssize_t n = DABBA_SYSCALL(::pread(fd.get(), head, sizeof head, 0), b.path);
    Compression c = detect_compression(head, static_cast<size_t>(n));
    if (docker && c == Compression::kZstd)
      throw Error(Errc::kUnsupported, "layer blob " + b.digest.str() + " is zstd-compressed", 0,
                  "the Docker format has no zstd layers: save as oci-archive or oci-dir");
    std::string_view type = docker ? (c == Compression::kNone ? media_type::kDockerLayerUncompressed
                                                              : media_type::kDockerLayer)
                            : c == Compression::kNone ? media_type::kOciLayer
                            : c == Compression::kZstd ? media_type::kOciLayerZstd
                                                      : media_type::kOciLayerGzip;
    layers.push_back({{"mediaType", type}, {"digest", b.digest.str()}, {"size", b.size}});
  }
  set_new_manifest(store, image, docker, std::move(layers), m);
  return m;
}

// The OCI manifest naming each layer's plain tar (media type ...tar, digest its diff_id).
SavedManifest uncompressed_manifest(const Store& store, const ImageRecord& image) {
  json layers = json::array();
  for (const ImageLayer& l : image.layers) {
    auto info = store.layer(l.diff_id);
    if (!info) throw Error(Errc::kNotFound, "layer " + l.diff_id.str() + " is not in the store");
    layers.push_back({{"mediaType", media_type::kOciLayer},
                      {"digest", l.diff_id.str()},
                      {"size", info->tar_size}});
  }
  SavedManifest m;
  set_new_manifest(store, image, false, std::move(layers), m);
  return m;
}

void save_oci_layout(const Store& store, const std::vector<SavedImage>& images,
                     const SaveOptions& options, Output& out) {
  json manifests = json::array();
  std::set<Digest> written;
  auto blob = [&](const Digest& d, const std::string& path, uint64_t size) {
    if (!written.insert(d).second) return;
    check_cancel(options);
    out.copy("blobs/sha256/" + d.hex(), path, size);
  };
  out.text("oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
  for (const SavedImage& s : images) {
    // First: it throws, naming the layer, when one is not in the store.
    SavedManifest m = options.uncompressed ? uncompressed_manifest(store, s.image)
                                           : manifest_for(store, s.image, false);
    if (options.uncompressed) {
      for (const ImageLayer& l : s.image.layers) {
        if (!written.insert(l.diff_id).second) continue;
        say(options, "Copying blob " + l.diff_id.str());
        check_cancel(options);
        out.file("blobs/sha256/" + l.diff_id.hex(), store.layer(l.diff_id)->tar_size,
                 [&](const Write& write) { write_layer_tar(store, l, options, write); });
      }
    }
    for (const StoredBlob& b : m.layers) {
      say(options, "Copying blob " + b.digest.str());
      blob(b.digest, b.path, b.size);
    }
    say(options, "Copying config " + s.image.config.str());
    blob(s.image.config, store.blob_path(s.image.config), store.blob(s.image.config)->size);
    if (written.insert(m.digest).second) out.text("blobs/sha256/" + m.digest.hex(), m.bytes);
    json desc = {{"mediaType", m.media_type}, {"digest", m.digest.str()}, {"size", m.bytes.size()}};
    if (s.names.empty()) manifests.push_back(desc);
    for (const auto& n : s.names) {
      desc["annotations"] = {{"org.opencontainers.image.ref.name", n}};
      manifests.push_back(desc);
    }
  }
  say(options, "Writing manifest to image destination");
  out.text("index.json", json({{"schemaVersion", 2}, {"manifests", manifests}}).dump());
}

// podman writes docker-dir with a Docker schema 2 manifest.
void save_docker_dir(const Store& store, const SavedImage& s, const SaveOptions& options,
                     Output& out) {
  SavedManifest m = manifest_for(store, s.image, true);
  for (const StoredBlob& b : m.layers) {
    say(options, "Copying blob " + b.digest.str());
    check_cancel(options);
    out.copy(b.digest.hex(), b.path, b.size);
  }
  say(options, "Copying config " + s.image.config.str());
  out.copy(s.image.config.hex(), store.blob_path(s.image.config), store.blob(s.image.config)->size);
  say(options, "Writing manifest to image destination");
  out.text("manifest.json", m.bytes);
  out.text("version", "Directory Transport Version: 1.1\n");
}

}  // namespace

ArchiveFormat parse_archive_format(const std::string& text) {
  if (text == "docker-archive") return ArchiveFormat::kDockerArchive;
  if (text == "oci-archive") return ArchiveFormat::kOciArchive;
  if (text == "oci-dir") return ArchiveFormat::kOciDir;
  if (text == "docker-dir") return ArchiveFormat::kDockerDir;
  throw Error(Errc::kInvalidArgument, "unsupported format \"" + text + "\"", 0,
              "--format is docker-archive, oci-archive, oci-dir or docker-dir");
}

bool is_directory_format(ArchiveFormat f) {
  return f == ArchiveFormat::kOciDir || f == ArchiveFormat::kDockerDir;
}

void save_images(const Store& store, const std::vector<SavedImage>& images,
                 const SaveOptions& options, int fd, const std::string& dir) {
  if (images.empty()) throw Error(Errc::kInvalidArgument, "no image to save");
  if (options.format == ArchiveFormat::kDockerDir && images.size() > 1)
    throw Error(Errc::kInvalidArgument, "docker-dir holds one image", 0,
                "save several images as a docker-archive (-m) or an oci-archive");
  std::unique_ptr<Output> out;
  if (is_directory_format(options.format))
    out = std::make_unique<DirOutput>(dir);
  else
    out = std::make_unique<TarOutput>(fd);
  switch (options.format) {
    case ArchiveFormat::kDockerArchive:
      save_docker_archive(store, images, options, *out);
      break;
    case ArchiveFormat::kOciArchive:
    case ArchiveFormat::kOciDir:
      save_oci_layout(store, images, options, *out);
      break;
    case ArchiveFormat::kDockerDir:
      save_docker_dir(store, images.front(), options, *out);
      break;
  }
  out->finish();
}

}  // namespace dabba
