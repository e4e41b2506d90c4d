// Internal: reference counting inside a write transaction. Every change of a reference (a name
// set or dropped, an image added or released, a container added or removed) adjusts the counts in
// the same transaction, so they can never disagree with the references after a crash.
#pragma once

#include <optional>

#include "oci/compression.h"
#include "oci/digest.h"
#include "store/lmdb_env.h"
#include "store/records.h"

namespace dabba {

std::optional<BlobRecord> get_blob(const ReadTxn& txn, const Digest& d);
std::optional<LayerRecord> get_layer(const ReadTxn& txn, const Digest& diff_id);
std::optional<ImageRecord> get_image(const ReadTxn& txn, const Digest& manifest);
std::optional<ContainerRecord> get_container(const ReadTxn& txn, const std::string& id);

// Records blob D as stored (SIZE bytes, added now) unless it already is; its count is kept.
void mark_blob_present(WriteTxn& txn, const Digest& d, uint64_t size);

// +1/-1 on a blob. A reference to a blob that is not stored keeps a placeholder record (present
// false) carrying the count; the placeholder goes when the count reaches zero.
void ref_blob(WriteTxn& txn, const Digest& d, int delta);
// +1/-1 on an unpacked layer (must exist for +1).
void ref_layer(WriteTxn& txn, const Digest& diff_id, int delta);
// The references an image holds: manifest, config, layer blobs and layers.
void ref_image_content(WriteTxn& txn, const ImageRecord& image, int delta);
// Stores the image, or deletes it (releasing its content) when nothing refers to it any more.
// Returns true when it was deleted.
bool put_or_release_image(WriteTxn& txn, const ImageRecord& image);

std::string image_id_key(const ImageRecord& image);
// The layer_blobs key: "<diff_id hex>/<gzip|zstd|none>".
std::string layer_blob_key(const Digest& diff_id, Compression c);

}  // namespace dabba
