// The plain records the store keeps in LMDB, and their encodings. Blob and layer records are small
// fixed binary structs (they are read and rewritten on every reference change); images,
// containers and leases are JSON so they can grow fields. Formats: docs/store-format.md.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "oci/digest.h"

namespace dabba {

// blobs/sha256/<hex>. A record can exist for a blob that is not stored (present == false): an
// image may reference a compressed layer blob it never downloaded because the unpacked layer was
// already there under the same diff_id. The record then only carries the reference count.
struct BlobRecord {
  uint64_t size = 0;
  uint32_t refs = 0;  // images referencing it (as manifest, config or layer)
  bool present = false;
  int64_t added = 0;  // unix seconds
};

// layers/<diff_id hex>, unpacked and complete (a record exists only for complete layers).
struct LayerRecord {
  uint32_t refs = 0;           // images + containers using it
  uint64_t tar_size = 0;       // bytes of the uncompressed tar
  uint64_t content_bytes = 0;  // sum of regular file sizes (one per name), for `check`
  uint64_t entries = 0;        // names under the layer root, for `check`
  int64_t added = 0;
  Digest blob;  // the compressed blob it was unpacked from (may be empty)
};

struct ImageLayer {
  Digest blob;        // compressed blob digest, as in the manifest
  Digest diff_id;     // uncompressed tar digest, as in the config's rootfs
  uint64_t size = 0;  // compressed size
  std::string media_type;
};

struct ImageRecord {
  Digest manifest;
  std::string media_type;  // of the manifest
  Digest config;
  std::vector<ImageLayer> layers;  // base first
  int64_t created = 0;             // from the config, unix seconds (0 if unknown)
  std::string platform;            // "linux/amd64", "linux/arm64/v8"
  // Filled in by the store:
  uint64_t unpacked_size = 0;  // sum of the layers' content bytes
  int64_t added = 0;
  uint32_t name_refs = 0;       // names pointing at it
  uint32_t container_refs = 0;  // containers created from it
  // Every name the image has had, latest first (podman's NamesHistory: `images --format
  // {{.History}}` shows what an untagged image was called).
  std::vector<std::string> names_history;
  // The order of its tags, as containers/storage keeps an image's Names: a pull, load or commit
  // puts its name first, a `tag` puts the new one last. `images` rows and RepoTags follow it;
  // the names database stays the truth of which names it has.
  std::vector<std::string> names_order;

  // The image id users see: the config digest's first 12 hex digits.
  std::string short_id() const { return config.short_hex(); }
};

struct ContainerRecord {
  std::string id;              // 64 hex, chosen by the caller
  std::string name;            // unique among containers
  Digest image;                // manifest digest
  std::vector<Digest> layers;  // diff_ids, base first
  int64_t created = 0;
  std::string runner_json;  // opaque to the store: the runner's own state
  // Volumes it mounts (named and anonymous): while it exists they cannot be removed.
  std::vector<std::string> volumes;
};

// volumes/<name>/_data, podman's "local" driver: a directory the container binds.
struct VolumeRecord {
  std::string name;  // [a-zA-Z0-9][a-zA-Z0-9_.-]*; anonymous ones are 64 hex
  int64_t created = 0;  // unix seconds
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> options;  // -o KEY=VALUE as given (kept, not acted on)
  bool anonymous = false;  // made for an image's VOLUME; `rm -v` and `run --rm` remove it
};

struct LeaseRecord {
  pid_t pid = 0;
  uint64_t start_time = 0;  // of pid (field 22 of /proc/PID/stat): tells a reused pid apart
  int64_t created = 0;
};

std::string encode_blob(const BlobRecord& r);
BlobRecord decode_blob(std::string_view bytes);
std::string encode_layer(const LayerRecord& r);
LayerRecord decode_layer(std::string_view bytes);
std::string encode_image(const ImageRecord& r);
ImageRecord decode_image(std::string_view bytes);
std::string encode_container(const ContainerRecord& r);
ContainerRecord decode_container(std::string_view bytes);
std::string encode_volume(const VolumeRecord& r);
VolumeRecord decode_volume(std::string_view bytes);
std::string encode_lease(const LeaseRecord& r);
LeaseRecord decode_lease(std::string_view bytes);

// "sha256:<hex>" from the hex key used in the databases.
Digest digest_from_hex(std::string_view hex);
int64_t unix_now();

}  // namespace dabba
