// A lease pins what an in-flight pull has stored (blobs, unpacked layers) until the image that
// references them is added. It lives in LMDB with the owner's pid and start time, so gc keeps its
// pins while the owner lives and drops it once the owner is gone (a killed pull).
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <string_view>

#include "oci/digest.h"

namespace dabba {

struct StoreState;
class WriteTxn;

class Lease {
 public:
  Lease() = default;
  Lease(Lease&& other) noexcept;
  Lease& operator=(Lease&& other) noexcept;
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  ~Lease();

  const std::string& id() const { return id_; }
  bool active() const { return !id_.empty(); }
  // Deletes the lease and its pins now (the destructor does it otherwise; errors are ignored
  // there).
  void release();

  // Internal: record a pin in the caller's transaction. kind 'b' = blob, 'l' = layer.
  void pin(WriteTxn& txn, char kind, const Digest& d) const;

 private:
  friend class Store;
  Lease(std::shared_ptr<StoreState> state, std::string id);
  std::shared_ptr<StoreState> state_;
  std::string id_;
  pid_t owner_ = 0;  // a forked child's copy must not release the parent's lease
};

// The lease pin key prefix for a lease: "<id>/".
std::string lease_pin_prefix(std::string_view lease_id);

}  // namespace dabba
