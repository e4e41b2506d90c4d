#include "store/refs.h"

#include "common/error.h"
#include "common/log.h"

namespace dabba {

std::optional<BlobRecord> get_blob(const ReadTxn& txn, const Digest& d) {
  auto v = txn.get(Db::kBlobs, d.hex());
  if (!v) return std::nullopt;
  return decode_blob(*v);
}

void mark_blob_present(WriteTxn& txn, const Digest& d, uint64_t size) {
  BlobRecord rec = get_blob(txn, d).value_or(BlobRecord{});
  if (rec.present) return;
  rec.present = true;
  rec.size = size;
  rec.added = unix_now();
  txn.put(Db::kBlobs, d.hex(), encode_blob(rec));
}

std::optional<LayerRecord> get_layer(const ReadTxn& txn, const Digest& diff_id) {
  auto v = txn.get(Db::kLayers, diff_id.hex());
  if (!v) return std::nullopt;
  return decode_layer(*v);
}

std::optional<ImageRecord> get_image(const ReadTxn& txn, const Digest& manifest) {
  auto v = txn.get(Db::kImages, manifest.hex());
  if (!v) return std::nullopt;
  return decode_image(*v);
}

std::optional<ContainerRecord> get_container(const ReadTxn& txn, const std::string& id) {
  auto v = txn.get(Db::kContainers, id);
  if (!v) return std::nullopt;
  return decode_container(*v);
}

namespace {
uint32_t adjust(uint32_t count, int delta, const char* what, const Digest& d) {
  if (delta < 0 && count < static_cast<uint32_t>(-delta)) {
    log_debug(std::string(what) + " " + d.str() + ": reference count would go below zero");
    return 0;  // `dabba check` reports and repairs counts
  }
  return static_cast<uint32_t>(static_cast<int64_t>(count) + delta);
}
}  // namespace

void ref_blob(WriteTxn& txn, const Digest& d, int delta) {
  BlobRecord rec;
  if (auto have = get_blob(txn, d)) {
    rec = *have;
  } else {
    if (delta < 0) return;
    rec.added = unix_now();  // placeholder: referenced, not stored
  }
  rec.refs = adjust(rec.refs, delta, "blob", d);
  if (rec.refs == 0 && !rec.present) {
    txn.del(Db::kBlobs, d.hex());
    return;
  }
  txn.put(Db::kBlobs, d.hex(), encode_blob(rec));
}

void ref_layer(WriteTxn& txn, const Digest& diff_id, int delta) {
  auto rec = get_layer(txn, diff_id);
  if (!rec) {
    if (delta > 0) throw Error(Errc::kNotFound, "layer " + diff_id.str() + " is not in the store");
    return;
  }
  rec->refs = adjust(rec->refs, delta, "layer", diff_id);
  txn.put(Db::kLayers, diff_id.hex(), encode_layer(*rec));
}

void ref_image_content(WriteTxn& txn, const ImageRecord& image, int delta) {
  ref_blob(txn, image.manifest, delta);
  ref_blob(txn, image.config, delta);
  for (const auto& l : image.layers) {
    ref_blob(txn, l.blob, delta);
    ref_layer(txn, l.diff_id, delta);
  }
}

std::string image_id_key(const ImageRecord& image) {
  return image.config.hex() + "/" + image.manifest.hex();
}

std::string layer_blob_key(const Digest& diff_id, Compression c) {
  return diff_id.hex() + "/" + compression_name(c);
}

bool put_or_release_image(WriteTxn& txn, const ImageRecord& image) {
  if (image.name_refs > 0 || image.container_refs > 0) {
    txn.put(Db::kImages, image.manifest.hex(), encode_image(image));
    return false;
  }
  txn.del(Db::kImages, image.manifest.hex());
  txn.del(Db::kImageIds, image_id_key(image));
  ref_image_content(txn, image, -1);
  return true;
}

}  // namespace dabba
