#include "store/lease.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <utility>

#include "common/error.h"
#include "common/fs.h"
#include "common/log.h"
#include "store/lmdb_env.h"
#include "store/store_state.h"

namespace dabba {

Lease::Lease(Lease&& other) noexcept
    : state_(std::move(other.state_)), id_(std::exchange(other.id_, {})), owner_(other.owner_) {}

Lease& Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    try {
      release();
    } catch (...) {
    }
    state_ = std::move(other.state_);
    id_ = std::exchange(other.id_, {});
    owner_ = other.owner_;
  }
  return *this;
}

Lease::~Lease() {
  try {
    release();
  } catch (const std::exception& e) {
    log_debug(std::string("release lease: ") + e.what());  // gc drops it once we are gone
  }
}

Lease::Lease(std::shared_ptr<StoreState> state, std::string id)
    : state_(std::move(state)), id_(std::move(id)), owner_(::getpid()) {}

void Lease::release() {
  if (id_.empty() || !state_) return;
  if (::getpid() != owner_) {  // after fork: the LMDB environment is not ours to use
    id_.clear();
    return;
  }
  std::string id = std::move(id_);
  id_.clear();
  WriteTxn txn(*state_->db);
  txn.del(Db::kLeases, id);
  txn.del_prefix(Db::kLeasePins, lease_pin_prefix(id));
  txn.commit();
}

void Lease::pin(WriteTxn& txn, char kind, const Digest& d) const {
  if (id_.empty()) return;
  std::string key = lease_pin_prefix(id_);
  key += kind;
  key += '/';
  key += d.hex();
  txn.put(Db::kLeasePins, key, "");
}

std::string lease_pin_prefix(std::string_view lease_id) { return std::string(lease_id) + "/"; }

}  // namespace dabba
