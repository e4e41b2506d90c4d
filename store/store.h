// The content-addressed store: the one header the puller, the CLI and the runner's glue use.
//
//   <root>/blobs/sha256/<hex>   verified blobs (manifests, configs, compressed layers)
//   <root>/layers/<diff hex>/   unpacked layers in OverlayFS format (lowerdirs for the runner)
//   <root>/db/                  LMDB: records, names, reference counts, leases
//   docs/store-format.md has the full layout, formats, durability order and locks.
//
// A Store is a cheap, copyable handle; all methods are thread-safe. Open one per process (after
// entering dabba's user namespace, so unpacked owners are mapped) and never use it across fork().
//
// A pull, in outline:
//   Store store = Store::open(root);
//   Lease lease = store.lease();                       // pins what the pull stores
//   store.put_blob(manifest_digest, manifest_bytes, lease);
//   store.put_blob(config_digest, config_bytes, lease);
//   for each layer (in parallel threads): store.begin_layer({...}, lease) -> run(source)
//   store.add_image(record, {"docker.io/library/alpine:3.20",
//   "docker.io/library/alpine@sha256:.."}); (the lease goes out of scope: the image's references
//   now hold everything)
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/byte_source.h"
#include "common/idmap.h"
#include "oci/compression.h"
#include "oci/digest.h"
#include "store/layer_ingest.h"
#include "store/lease.h"
#include "store/records.h"
#include "store/store_options.h"

namespace dabba {

struct StoreState;

struct BlobInfo {
  Digest digest;
  uint64_t size = 0;
  uint32_t refs = 0;
};

struct LayerInfo {
  Digest diff_id;
  std::string dir;  // <root>/layers/<hex>
  uint64_t tar_size = 0;
  uint64_t content_bytes = 0;
  uint32_t refs = 0;
  Digest blob;  // the compressed blob it was unpacked from (empty: unknown; may be gone since)
};

// A compressed (or plain) tar of a layer, stored as a blob (for a push).
struct LayerBlob {
  Digest digest;
  uint64_t size = 0;
  Compression compression = Compression::kGzip;
  bool made = false;  // written now by layer_blob(), not found stored
};

struct ImageEntry {
  ImageRecord image;
  std::vector<std::string> names;  // in the image's order (names_order), the others sorted after
};

struct GcOptions {
  // Partial ingests older than this are deleted (default: StoreOptions::partial_max_age).
  std::optional<std::chrono::seconds> partial_max_age;
};

struct GcReport {
  uint64_t blobs = 0, blob_bytes = 0;
  uint64_t layers = 0, layer_bytes = 0;
  uint64_t partials = 0, partial_bytes = 0;          // ingest/ leftovers
  uint64_t temp_dirs = 0, temp_bytes = 0;            // tmp/ leftovers of killed unpacks
  uint64_t container_dirs = 0, container_bytes = 0;  // dirs of containers without a record
  uint64_t leases = 0;                               // stale leases of dead processes
  uint64_t total_bytes() const {
    return blob_bytes + layer_bytes + partial_bytes + temp_bytes + container_bytes;
  }
  // "freed 3 blobs, 2 layers (45.1 MB)" style summary for the CLI.
  std::string summary() const;
};

struct CheckOptions {
  bool repair = false;
  bool verify_blobs = true;  // re-hash every blob (reads them all)
  // Unpack every layer again from its stored blob and compare it with its directory; with
  // repair, a layer that differs (or is incomplete) is unpacked again in place, not dropped.
  bool deep = false;
};

struct CheckReport {
  std::vector<std::string> problems;  // one line each; empty: the store is sound
  std::vector<std::string> repairs;   // what --repair did
  std::vector<std::string> notes;     // harmless findings (orphans gc will remove)
  uint64_t blobs_checked = 0, layers_checked = 0, images_checked = 0, containers_checked = 0;
  bool ok() const { return problems.empty(); }
};

class Store {
 public:
  // Opens (creating if needed) the store at root. Throws Error{kUnsupported} for a store written
  // by a newer dabba.
  static Store open(const std::string& root, const StoreOptions& options = {});

  const std::string& root() const;
  // Where verbs put large scratch files on the store's filesystem (a commit's compressed layer
  // before its ingest, a `load` from a pipe): <root>/tmp. gc removes entries older than an hour.
  std::string temp_dir() const;

  // ---- leases
  // A new lease owned by this process. Everything that stores content takes one (an inactive,
  // default-constructed Lease is refused with kInvalidArgument): what it stores stays pinned
  // against gc until the lease is released, so add the image first, then drop the lease.
  Lease lease();

  // ---- blobs
  std::optional<BlobInfo> blob(const Digest& d) const;  // stored blobs only
  std::string blob_path(const Digest& d) const;
  // Reads a stored blob (manifests and configs: small) and checks its digest.
  std::string read_blob(const Digest& d) const;
  // Stores data as blob d after checking its digest (a no-op when present); pinned by lease.
  void put_blob(const Digest& d, std::string_view data, const Lease& lease);
  // Streams a blob of any size into the store (no unpacking). Same errors as LayerIngest::run.
  void put_blob(const Digest& d, int64_t size, ByteSource& source, const Lease& lease);

  // ---- layers
  std::optional<LayerInfo> layer(const Digest& diff_id) const;
  // The diff_id a compressed blob unpacked to, if it was ever ingested here.
  std::optional<Digest> diff_id_of(const Digest& blob) const;
  std::string layer_dir(const Digest& diff_id) const;
  // The layer owned for a nested user namespace's map (store/mapped_layers.h), made if missing.
  std::string mapped_layer_dir(const Digest& diff_id, const IdMap& map) const;
  // Starts the ingest of one layer (see layer_ingest.h). Blocks while another thread or process
  // ingests the same blob or diff_id.
  LayerIngest begin_layer(const LayerRequest& request, const Lease& lease);
  // A stored blob of layer diff_id in compression c, if there is one (hint: a blob digest to try
  // first, e.g. the one the image's manifest names). Its compression is read from its first
  // bytes. Pinned by lease.
  std::optional<LayerBlob> find_layer_blob(const Digest& diff_id, Compression c,
                                           const Lease& lease, const Digest& hint = {}) const;
  // find_layer_blob, else a blob made now and stored (kept as long as the layer is): another
  // stored blob of the layer decompressed and compressed again, or, without one, the layer's
  // directory written as a tar (store/unpack/layer_tar.h); the tar must hash to diff_id.
  // on_bytes (optional) hears the uncompressed bytes done. Two makers of one (diff_id, c) wait
  // for each other. Throws Error{kNotFound} without the layer, Error{kDigestMismatch} when the
  // directory no longer gives diff_id.
  LayerBlob layer_blob(const Digest& diff_id, Compression c, const Lease& lease,
                       const Digest& hint = {},
                       const std::function<void(uint64_t tar_bytes)>& on_bytes = {});

  // ---- images
  // Adds (or re-tags) an image in one transaction: the record, its names (each moved from any
  // image it pointed at before), and the reference counts. The manifest and config blobs and
  // every layer must be in the store. At least one name. Returns the stored record.
  // place: where its new tags go in its names' order (ImageRecord::names_order): first, as a
  // pull, load or commit names it; last, as `tag` adds one.
  enum class NamePlace { kFirst, kLast };
  ImageRecord add_image(const ImageRecord& image, const std::vector<std::string>& names,
                        NamePlace place = NamePlace::kFirst);
  std::optional<ImageRecord> image(const Digest& manifest) const;
  std::optional<Digest> lookup_name(const std::string& name) const;
  // Finds an image by exact name, manifest digest, config digest ("sha256:.."), or a unique
  // prefix (4+ hex digits) of the image id (config digest). Throws kNotFound, or
  // kInvalidArgument when a prefix is ambiguous.
  ImageRecord resolve_image(std::string_view what) const;
  std::vector<ImageEntry> list_images() const;  // newest first
  std::vector<std::string> names_of(const Digest& manifest) const;
  // Drops one name. When it was the image's last name and containers use the image, refuses with
  // kConflict unless force (the image then stays, unnamed, until its containers go). Returns
  // true when the image record itself went.
  bool remove_name(const std::string& name, bool force);

  // ---- containers
  // Records a container (pins its image and layers) and creates <root>/containers/<id>/.
  // before_commit, when given, runs once that directory exists and before the record commits,
  // with the record as it will be stored: what must exist with the record (its spec, flushed)
  // is written there, so that a power cut never leaves the record without it. An exception
  // from it aborts the add.
  void add_container(const ContainerRecord& record,
                     const std::function<void(const ContainerRecord&)>& before_commit = {});
  // By id, unique id prefix, or name.
  std::optional<ContainerRecord> container(std::string_view id_or_name) const;
  std::vector<ContainerRecord> list_containers() const;
  void update_container(const std::string& id, const std::string& runner_json);
  // Gives the container a new name in one transaction (the old one is free after). Throws
  // Error{kNotFound} for no container id, Error{kAlreadyExists} when another container has it.
  void rename_container(const std::string& id, const std::string& new_name);
  // Deletes the record (unpinning) and then its directory.
  // with_anonymous_volumes (rm -v, run --rm): its anonymous volumes that no other container
  // uses go in the same transaction.
  void remove_container(const std::string& id, bool with_anonymous_volumes = false);
  std::string container_dir(const std::string& id) const;

  // Volumes (store/volumes.cc): a record in `volumes` and a directory volumes/<name>/_data. The
  // containers naming a volume in their record hold it: it cannot be removed while one exists.
  // Throws Error{kAlreadyExists} "volume with name N already exists", kInvalidArgument for a
  // name podman would refuse.
  VolumeRecord create_volume(const VolumeRecord& record);
  std::optional<VolumeRecord> volume(const std::string& name) const;
  std::vector<VolumeRecord> list_volumes() const;  // by name
  std::string volume_data_dir(const std::string& name) const;  // <root>/volumes/<name>/_data
  // Ids of the containers whose record names the volume.
  std::vector<std::string> volume_users(const std::string& name) const;
  // Removes record and directory. Throws kNotFound "no volume with name N found", kConflict
  // "volume N is being used by the following container(s): ID...: volume is being used".
  void remove_volume(const std::string& name);

  // ---- maintenance
  GcReport gc(const GcOptions& options = {});
  CheckReport check(const CheckOptions& options = {});

  // Internal, for the parts of the store.
  const std::shared_ptr<StoreState>& state() const { return state_; }

 private:
  explicit Store(std::shared_ptr<StoreState> state) : state_(std::move(state)) {}
  std::shared_ptr<StoreState> state_;
};

}  // namespace dabba
