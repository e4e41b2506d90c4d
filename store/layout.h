// Where each thing lives under the store root. Every path the store touches is built here, so the
// layout in docs/store-format.md has one source of truth.
#pragma once

#include <string>

#include "oci/digest.h"

namespace dabba {

class StoreLayout {
 public:
  explicit StoreLayout(std::string root, std::string volumes_dir = "")
      : root_(std::move(root)),
        volumes_dir_(volumes_dir.empty() ? root_ + "/volumes" : std::move(volumes_dir)) {}

  const std::string& root() const { return root_; }
  std::string db_dir() const { return root_ + "/db"; }
  std::string blobs_dir() const { return root_ + "/blobs/sha256"; }
  std::string blob_path(const Digest& d) const { return blobs_dir() + "/" + d.hex(); }
  std::string ingest_dir() const { return root_ + "/ingest"; }
  std::string ingest_path(const Digest& blob) const { return ingest_dir() + "/" + blob.hex(); }
  std::string layers_dir() const { return root_ + "/layers"; }
  std::string layer_dir(const Digest& diff_id) const { return layers_dir() + "/" + diff_id.hex(); }
  std::string tmp_dir() const { return root_ + "/tmp"; }
  // Layers owned for a nested user namespace's map (store/mapped_layers.h).
  std::string mapped_layers_dir() const { return root_ + "/layers-mapped"; }
  // Unpack temp dirs are named after the blob whose lock protects them: gc can tell a live one
  // (lock held) from a leftover of a killed process.
  std::string unpack_prefix(const Digest& blob) const { return "unpack-" + blob.hex() + "-"; }
  std::string locks_dir() const { return root_ + "/locks"; }
  std::string store_lock_path() const { return locks_dir() + "/store.lock"; }
  std::string blob_lock_path(const Digest& blob) const {
    return locks_dir() + "/blob-" + blob.hex();
  }
  std::string layer_lock_path(const Digest& diff_id) const {
    return locks_dir() + "/layer-" + diff_id.hex();
  }
  std::string pack_lock_path(const Digest& diff_id, const char* compression) const {
    return locks_dir() + "/pack-" + diff_id.hex() + "-" + compression;
  }
  // Blobs being compressed for a push: tmp/pack-<diff_id hex>-<compression>-XXXXXX.
  std::string pack_prefix(const Digest& diff_id, const char* compression) const {
    return "pack-" + diff_id.hex() + "-" + compression + "-";
  }
  std::string containers_dir() const { return root_ + "/containers"; }
  std::string container_dir(const std::string& id) const { return containers_dir() + "/" + id; }
  // volumes/<name>/_data is what containers mount (podman's layout: Mountpoint ends in _data);
  // volumes/ is elsewhere when StoreOptions::volume_path says so (--volumepath).
  const std::string& volumes_dir() const { return volumes_dir_; }
  std::string volume_dir(const std::string& name) const { return volumes_dir() + "/" + name; }

 private:
  std::string root_;
  std::string volumes_dir_;
};

}  // namespace dabba
