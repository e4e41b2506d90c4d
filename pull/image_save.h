// `dabba save`: images from the store into the archives `load` (and podman load, skopeo, docker)
// read, the mirror of image_load.h:
//
//   docker-archive  a tar: manifest.json (Config, RepoTags, Layers per image), <config hex>.json,
//                   <diff_id hex>.tar (each layer uncompressed, as `docker save` writes it; the
//                   stored blob is decompressed on the way, ISA-L for gzip). Several images: -m.
//   oci-archive     a tar of an OCI image layout (oci-layout, index.json with
//                   org.opencontainers.image.ref.name per name, blobs/sha256/*): the stored
//                   manifest, config and layer blobs as they are, so digests stay the registry's.
//   oci-dir         the same layout as a directory.
//   docker-dir      containers-image's dir: transport: manifest.json (Docker schema 2, as podman
//                   writes it), version, one file per blob named by its hex digest.
//
// A layer whose manifest blob the store does not hold (it reused a layer already unpacked from
// another compression) is saved with the blob it was unpacked from, under a new manifest (the
// config, so the image id, unchanged). A layer with no blob at all is refused with a hint to pull
// the image again.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "store/records.h"
#include "store/store.h"

namespace dabba {

enum class ArchiveFormat { kDockerArchive, kOciArchive, kOciDir, kDockerDir };
// "docker-archive", "oci-archive", "oci-dir", "docker-dir"; throws Error{kInvalidArgument}.
ArchiveFormat parse_archive_format(const std::string& text);
bool is_directory_format(ArchiveFormat f);

struct SavedImage {
  ImageRecord image;
  // Full names ("docker.io/library/alpine:latest"): RepoTags of a docker-archive, the ref.name
  // annotations of an OCI layout. May be empty.
  std::vector<std::string> names;
};

struct SaveOptions {
  ArchiveFormat format = ArchiveFormat::kDockerArchive;
  // "Copying blob sha256:...", "Copying config ...", "Writing manifest to image destination".
  std::function<void(const std::string& line)> progress;
  const std::atomic<bool>* cancel = nullptr;  // Ctrl-C: stop between reads
  // OCI formats: each layer as its plain tar (digest: its diff_id), in a new manifest (podman's
  // --uncompressed); the image id, its config's digest, stays.
  bool uncompressed = false;
};

// Writes the archive to fd (the archive formats) or into the directory dir (created if needed;
// the directory formats). Throws Error naming the image or blob that failed.
void save_images(const Store& store, const std::vector<SavedImage>& images,
                 const SaveOptions& options, int fd, const std::string& dir);

}  // namespace dabba
