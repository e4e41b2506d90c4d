// `dabba load`: images from an archive on disk into the store, through the same verified,
// single-pass layer ingest as a pull (digests, diff_ids, unpack, reuse by diff_id).
//
// Accepted (ImageArchive reads directories and tar files alike):
//   - an OCI image layout (oci-layout, index.json, blobs/): `skopeo copy ... oci:DIR[:tag]`,
//     `oci-archive:FILE`, and `docker save` of Docker 25+. index.json entries that are indexes
//     give the wanted platform's image. Names, in order of preference: the containerd
//     annotation io.containerd.image.name; org.opencontainers.image.ref.name when it is a full
//     reference ("rig/layers:1.0" -> docker.io/rig/layers:1.0); a bare tag ("mytag") names
//     localhost/<archive name>:<tag>; else manifest.json's RepoTags for that config.
//   - a docker-archive (manifest.json, <config>.json, layer tars; `docker save` before 25 and
//     `skopeo copy ... docker-archive:FILE`): names from RepoTags. It carries no manifest, so
//     dabba writes a Docker schema 2 manifest for it (its digest is then the image's).
//   - a `dir:` layout (manifest.json is one image manifest, blobs are files named by hex digest;
//     `skopeo copy ... dir:D`, `podman save --format docker-dir`): no names.
// An image without any name is kept under its id only (dangling_name(), shown as <none>).
#pragma once

#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "oci/platform.h"
#include "pull/pull_progress.h"
#include "store/records.h"
#include "store/store.h"

namespace dabba {

struct LoadOptions {
  std::optional<Platform> platform;  // for indexes in the layout; nullopt: the host's
  PullProgress* progress = nullptr;
  const std::atomic<bool>* cancel = nullptr;  // Ctrl-C: stop between reads, register nothing
};

struct LoadedImage {
  ImageRecord image;
  std::vector<std::string> names;  // as stored (a dangling name when it had none)
};

// Loads every image of the archive at path. All or nothing for the names: they are added only
// after every layer of every image is in the store.
std::vector<LoadedImage> load_images(Store& store, const std::string& path,
                                     const LoadOptions& options);

}  // namespace dabba
