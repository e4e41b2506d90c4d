// One layer's way into the store, in a single streaming pass:
//
//   compressed bytes (partial ingest file, then the ByteSource)
//     -> ingest/<blob hex> (appended) + SHA-256 (blob digest) + size check
//     -> gzip (ISA-L) / zstd / none, chosen by magic bytes
//     -> SHA-256 (diff_id)
//     -> libarchive tar reader -> LayerWriter into tmp/unpack-<blob hex>-XXXXXX/
//   then verify, syncfs, rename to blobs/sha256/<hex> and layers/<diff_id hex>/, and record blob,
//   layer and blob->diff_id in one LMDB transaction (pinned by the caller's lease).
//
// Use from a puller's download thread:
//
//   LayerIngest ingest = store.begin_layer({blob, size, diff_id}, lease);  // may wait on a lock
//   if (!ingest.complete()) {
//     uint64_t from = ingest.resume_offset();       // fetch with "Range: bytes=<from>-"
//     ... if the server ignored the Range: ingest.restart();
//     LayerResult r = ingest.run(source);           // source yields the bytes from `from` on
//   }
//
// Thread-safe across layers: run several LayerIngests in parallel threads of one process (and
// several processes). Two ingests of the same blob (or the same known diff_id) serialise on a
// lock: the second waits, then finds the layer complete.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "common/byte_source.h"
#include "store/unpack/decompress.h"
#include "oci/digest.h"
#include "common/file_lock.h"

namespace dabba {

struct StoreState;
class Lease;

struct LayerRequest {
  Digest blob;        // compressed digest (from the manifest)
  int64_t size = -1;  // compressed size (from the manifest); -1 when unknown
  Digest diff_id;     // from the image config; empty when unknown (then only checked as computed)
};

struct LayerResult {
  Digest blob;
  Digest diff_id;
  uint64_t blob_size = 0;
  uint64_t tar_size = 0;
  uint64_t content_bytes = 0;  // sum of the regular files' sizes
  Compression compression = Compression::kNone;
  bool reused = false;        // already in the store: nothing was fetched or unpacked
  uint64_t resumed_from = 0;  // bytes that came from a partial ingest
};

class LayerIngest {
 public:
  LayerIngest(LayerIngest&&) noexcept;
  LayerIngest& operator=(LayerIngest&&) noexcept;
  ~LayerIngest();

  // True when the layer is already unpacked in the store (now pinned by the lease): nothing to
  // fetch. result() then describes it.
  bool complete() const { return done_.has_value(); }
  const LayerResult& result() const { return *done_; }

  // Bytes of the blob already here (a partial ingest or the stored blob): the source given to
  // run() must start at this offset.
  uint64_t resume_offset() const { return local_bytes_; }
  // Forgets the partial ingest: the next run() expects the source to start at byte 0.
  void restart();

  // Streams, verifies, unpacks and publishes the layer. Errors (Error):
  //   kDigestMismatch  blob digest/size or diff_id wrong (the partial is deleted)
  //   kNetwork         the source ended before the declared size (the partial is kept)
  //   kCorrupt         bad compressed data or a hostile/malformed tar with a correct digest;
  //                    or the stored blob being replayed is damaged (it is dropped: retry)
  //   kPermission      an owner outside the user namespace's map
  //   what the source threw (the partial is kept for resume)
  LayerResult run(ByteSource& rest);

 private:
  friend class Store;
  LayerIngest(std::shared_ptr<StoreState> state, LayerRequest request, const Lease& lease);
  bool try_reuse();
  LayerResult unpack(ByteSource* rest);
  void publish(LayerResult& r, const std::string& tmp_dir, uint64_t entries);
  void drop_stored_blob();

  std::shared_ptr<StoreState> state_;
  LayerRequest req_;
  const Lease* lease_;
  FileLock blob_lock_;
  FileLock layer_lock_;
  bool blob_stored_ = false;  // the blob file is already in blobs/: replay it, fetch nothing
  uint64_t local_bytes_ = 0;
  std::optional<LayerResult> done_;
};

}  // namespace dabba
