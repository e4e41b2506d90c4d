// `dabba push`: an image from the store to any registry (API v2), as podman pushes it.
//
//   1. The manifest to push: the image's own, byte for byte (so the digest stays), unless the
//      format changes (--format) or a layer needs another compression (--compression-format,
//      or a layer whose blob is not stored compressed): then a new one, same config.
//   2. Each layer's blob, in parallel (max_parallel workers): the store's (Store::layer_blob:
//      the pulled blob, or one compressed once and kept for the next push, from another blob of
//      the layer or from its directory), then to the registry (BlobUploader): skipped when the
//      registry has it (HEAD), mounted from another repository of the registry that has it
//      (known from the store's names), else uploaded, monolithic or in chunks, resumed where the
//      registry allows. The config the same way.
//   3. The manifest, PUT under the tag (skipped when the tag already names it); the registry's
//      digest is checked against ours.
//
// Everything the push makes in the store is pinned by a lease until it ends; every thread is
// joined before push_image returns.
#pragma once

#include <atomic>
#include <cstddef>
#include <optional>
#include <string>

#include "oci/compression.h"
#include "oci/image_ref.h"
#include "oci/manifest_writer.h"
#include "push/push_progress.h"
#include "registry/registry_client.h"
#include "store/records.h"
#include "store/store.h"

namespace dabba {

struct PushOptions {
  // HTTP settings (cancel flag for Ctrl-C), registries.conf with --tls-verify/--cert-dir,
  // credentials (--authfile, --creds). The pusher sets access to kPush.
  RegistryClientOptions client;
  std::optional<ManifestFormat> format;  // nullopt: the image's own
  // nullopt: each layer as stored (gzip or zstd), gzip for an uncompressed one.
  std::optional<Compression> compression;
  size_t max_parallel = 4;
  // Upload chunk size (0: one PUT per blob). $DABBA_PUSH_CHUNK_SIZE sets it (from_environment).
  uint64_t chunk_size = 0;
  PushProgress* progress = nullptr;

  // Client options from the environment: registries.conf from podman's paths, the chunk size.
  static PushOptions from_environment();
};

struct PushResult {
  Digest digest;           // of the manifest pushed
  std::string reference;   // "registry/repo:tag"
  size_t uploaded = 0, skipped = 0, mounted = 0;  // blobs, config included
  uint64_t bytes_uploaded = 0;
  size_t compressed = 0;   // layer blobs made for this push
};

PushResult push_image(Store& store, const ImageRecord& image, const ImageRef& destination,
                      const PushOptions& options);

}  // namespace dabba
