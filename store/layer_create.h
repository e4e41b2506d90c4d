// Layers made here rather than pulled (commit, import), stored exactly as a pulled layer is: the
// compressed blob in blobs/ (so save and push have one), blob -> diff_id recorded, the tar unpacked
// into layers/<diff_id>/ by the same verified ingest (LayerIngest), pinned by the caller's lease.
//
//   Lease lease = store.lease();
//   NewLayer l = create_layer(store, [&](const TarSink& sink) {
//     write_tree_tar({upper_dir}, TreeTarMode::kLayer, sink);
//   }, lease);
//   ... put the config and manifest blobs, add_image(...) naming l.blob and l.diff_id.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "oci/compression.h"
#include "oci/digest.h"
#include "store/lease.h"
#include "store/store.h"
#include "store/unpack/layer_tar.h"

namespace dabba {

struct NewLayer {
  Digest blob;     // the compressed blob's digest (the manifest's layer digest)
  Digest diff_id;  // the tar's digest (the config's rootfs.diff_ids entry)
  uint64_t blob_size = 0;
  uint64_t tar_size = 0;
  uint64_t content_bytes = 0;  // regular files' bytes, as the store counts a layer
  Compression compression = Compression::kGzip;
  bool reused = false;  // the store had this layer already
};

// The tar that make_tar writes into its sink is hashed (diff_id) and gzip-compressed (ISA-L) into
// a temp file under the store's tmp/, which is then ingested. One pass over the tar.
NewLayer create_layer(Store& store, const std::function<void(const TarSink&)>& make_tar,
                      const Lease& lease);

// A layer blob in a file (gzip, zstd or a plain tar, told by its magic bytes), ingested as it is:
// its digest is the blob's, the diff_id found while unpacking.
NewLayer ingest_layer_file(Store& store, const std::string& path, const Lease& lease);

}  // namespace dabba
