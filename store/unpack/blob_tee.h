// The compressed side of an ingest. Replays the bytes already on disk (a partial ingest, or a
// stored blob), then reads the rest from a ByteSource and appends it to the ingest file; counts
// and hashes everything, and refuses a stream longer than its declared size.
#pragma once

#include <cstdint>
#include <optional>

#include "common/byte_source.h"
#include "oci/digest.h"

namespace dabba {

class BlobTee {
 public:
  // fd: the file holding the first local_bytes of the blob. rest (may be null) delivers the bytes
  // after them; when append is set they are appended to fd. expected_size < 0: unknown.
  BlobTee(int fd, uint64_t local_bytes, ByteSource* rest, bool append, int64_t expected_size);

  // Up to cap bytes of the blob; 0 at the end. A ByteSource failure propagates (and marks
  // source_failed()); more bytes than declared throws Error{kDigestMismatch}.
  size_t read(uint8_t* buf, size_t cap);
  // Reads to the end (hashing, appending), for when the consumer stopped early.
  void drain();

  uint64_t bytes() const { return total_; }
  bool at_end() const { return eof_; }
  bool source_failed() const { return source_failed_; }
  // True when the stream ended before its declared size.
  bool short_stream() const { return eof_ && expected_ >= 0 && total_ < uint64_t(expected_); }
  // Finishes the hash (once the stream is at its end).
  const Digest& digest();

 private:
  int fd_;
  uint64_t local_;
  uint64_t replayed_ = 0;
  ByteSource* rest_;
  bool append_;
  int64_t expected_;
  uint64_t total_ = 0;
  bool eof_ = false;
  bool source_failed_ = false;
  Sha256 hash_;
  std::optional<Digest> digest_;
};

}  // namespace dabba
