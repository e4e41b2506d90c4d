// Internal: verified, durable ingest of a plain blob (no unpacking), and the checks and renames
// layer ingest shares with it.
#pragma once

#include <cstdint>
#include <string>

#include "store/unpack/blob_tee.h"
#include "common/byte_source.h"
#include "oci/digest.h"

namespace dabba {

struct StoreState;
class Lease;

// Streams source into ingest/<hex>, verifies, fsyncs, renames to blobs/sha256/<hex> and records
// the blob, pinned by lease. A no-op (but for the pin) when the blob is already stored.
void ingest_blob(StoreState& st, const Digest& d, int64_t size, ByteSource& source,
                 const Lease& lease);

// Throws Error{kDigestMismatch} naming expected and actual when the finished tee does not match.
void verify_blob(BlobTee& tee, const Digest& expected, int64_t expected_size);

// rename(from, blobs/sha256/<hex>) and, with sync, fsync of blobs/sha256. The caller holds the
// publish lock and records the blob in LMDB afterwards.
void publish_blob_file(const StoreState& st, const Digest& d, const std::string& from);

// Reads a whole ByteSource-like stream from a string (manifests, configs, tests).
class StringSource final : public ByteSource {
 public:
  explicit StringSource(std::string_view data) : data_(data) {}
  size_t read(void* buf, size_t size) override;

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

}  // namespace dabba
