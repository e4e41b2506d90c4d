// What a pull (or a load) reports while it works, for the CLI's progress display. The puller
// calls these from several threads (the transfer loop and the ingest workers): an implementation
// must be thread-safe. Every method has an empty default.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "oci/digest.h"
#include "store/layer_ingest.h"

namespace dabba {

// One layer to bring into the store: a distinct diff_id of the image (a manifest listing the
// same layer twice gets one line).
struct PullLayer {
  Digest blob;
  Digest diff_id;
  int64_t size = -1;  // compressed size from the manifest
};

class PullProgress {
 public:
  virtual ~PullProgress() = default;

  // The reference resolved to digest (the index digest of a multi-platform image). cached: the
  // image was in the store already; no layer events follow.
  virtual void resolved(const std::string& /*reference*/, const Digest& /*digest*/,
                        bool /*cached*/) {}
  // A line for the user before the work starts (short-name resolution, "Trying to pull ...").
  virtual void message(const std::string& /*line*/) {}
  // The image's layers, base first; `layer` below indexes this list.
  virtual void layers(const std::vector<PullLayer>& /*layers*/) {}
  // Already unpacked in the store (from this blob or another with the same diff_id).
  virtual void layer_reused(size_t /*layer*/) {}
  // Bytes start flowing; resumed = bytes that came from a partial download kept earlier.
  virtual void layer_started(size_t /*layer*/, uint64_t /*resumed*/) {}
  // Bytes of the blob held so far (resumed + received). Called often, from the transfer thread.
  virtual void layer_bytes(size_t /*layer*/, uint64_t /*held*/) {}
  // Every byte arrived; the unpack is finishing.
  virtual void layer_downloaded(size_t /*layer*/) {}
  // Verified, unpacked and recorded in the store.
  virtual void layer_done(size_t /*layer*/, const LayerResult& /*result*/) {}
  virtual void layer_failed(size_t /*layer*/, const std::string& /*why*/) {}
};

}  // namespace dabba
