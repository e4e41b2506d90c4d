// What a push reports while it works, for the CLI's display. Called from the pusher's worker
// threads: implementations must be thread-safe. Every method has an empty default.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "oci/digest.h"

namespace dabba {

// One blob of the image to push: a layer (base first), then the config.
struct PushBlob {
  Digest digest;        // of the blob, once known (a layer being compressed has none yet)
  Digest diff_id;       // layers: the uncompressed digest; empty for the config
  int64_t size = -1;    // -1 until known
  bool config = false;
};

enum class PushBlobOutcome { kUploaded, kExists, kMounted };

class PushProgress {
 public:
  virtual ~PushProgress() = default;
  virtual void blobs(const std::vector<PushBlob>& /*blobs*/) {}
  // Compressing a layer the store holds no blob of in the wanted compression.
  virtual void blob_compressing(size_t /*blob*/, uint64_t /*tar_bytes*/, uint64_t /*tar_size*/) {}
  // The blob is known (digest and size) and its upload begins.
  virtual void blob_started(size_t /*blob*/, const Digest& /*digest*/, uint64_t /*size*/) {}
  virtual void blob_bytes(size_t /*blob*/, uint64_t /*sent*/) {}
  virtual void blob_done(size_t /*blob*/, PushBlobOutcome /*how*/) {}
  virtual void blob_failed(size_t /*blob*/, const std::string& /*why*/) {}
  virtual void writing_manifest() {}
};

}  // namespace dabba
