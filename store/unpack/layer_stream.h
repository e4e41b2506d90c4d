// The uncompressed side of a layer ingest: pulls compressed bytes from a BlobTee, picks the
// decompressor from the magic bytes, and hands out the tar stream in chunks while hashing it into
// the diff_id. Bounded memory: one input and one output buffer.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "store/unpack/blob_tee.h"
#include "store/unpack/decompress.h"
#include "oci/digest.h"

namespace dabba {

struct StreamBuffers {
  size_t compressed = 128 * 1024;
  size_t tar = 256 * 1024;
};

class LayerStream {
 public:
  LayerStream(BlobTee& tee, GzipEngine gzip, StreamBuffers buffers = {});
  ~LayerStream();

  // The next chunk of the tar (valid until the next call), hashed into the diff_id; 0 at the
  // end. Throws Error{kCorrupt} on bad compressed data or a truncated stream.
  size_t next(const uint8_t** data);
  // The same into the caller's buffer.
  size_t read(uint8_t* buf, size_t cap);
  // The same without hashing: the caller passes the bytes to hash_tar() itself, so the diff_id
  // hash can run in the thread that consumes the tar (balancing the pipeline's two threads).
  size_t read_unhashed(uint8_t* buf, size_t cap);
  void hash_tar(const uint8_t* data, size_t size) { hash_.update(data, size); }
  // Consumes and hashes whatever the tar reader left unread (padding after the end-of-archive
  // blocks, trailing gzip bytes), so both digests cover the whole blob.
  void finish();

  Compression compression() const { return compression_; }
  uint64_t tar_bytes() const { return tar_bytes_; }
  const Digest& diff_id();

 private:
  bool fill();

  BlobTee& tee_;
  GzipEngine gzip_;
  Compression compression_ = Compression::kNone;
  std::unique_ptr<Decompressor> dec_;
  std::vector<uint8_t> in_;
  size_t in_pos_ = 0, in_len_ = 0;
  std::vector<uint8_t> out_;
  uint64_t tar_bytes_ = 0;
  bool ended_ = false;
  Sha256 hash_;
  std::optional<Digest> diff_id_;
};

}  // namespace dabba
