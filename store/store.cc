#include "store/mapped_layers.h"
#include "store/store.h"

#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "common/error.h"
#include "common/fs.h"
#include "common/proc_stat.h"
#include "common/userns.h"
#include "store/blob_ingest.h"
#include "store/refs.h"
#include "store/root_path.h"
#include "store/space_reserve.h"
#include "store/store_state.h"

namespace dabba {

namespace {

// DABBA_SYNC=0 turns StoreOptions::sync off for a whole process: for throw-away stores (CI
// caches, benchmarks), where a power cut may lose the store anyway.
StoreOptions with_environment(StoreOptions options) {
  if (const char* sync = std::getenv("DABBA_SYNC"); sync != nullptr && std::string(sync) == "0")
    options.sync = false;
  if (options.volume_path.empty()) options.volume_path = volume_path_from_environment();
  return options;
}

}  // namespace

Store Store::open(const std::string& root, const StoreOptions& given) {
  const StoreOptions options = with_environment(given);
  auto st = std::make_shared<StoreState>(
      StoreState{StoreLayout(root, options.volume_path), options, nullptr, {}});
  with_context("open the store at " + root, [&] {
    const StoreLayout& l = st->layout;
    make_dirs(root, 0700);
    for (const std::string& dir : {l.blobs_dir(), l.ingest_dir(), l.layers_dir(), l.tmp_dir(),
                                   l.locks_dir(), l.containers_dir()})
      make_dirs(dir, 0700);
    const bool reserve_released = release_space_reserve_if_full(l);
    st->db = LmdbEnv::open(l.db_dir(), options.sync, options.sync_meta);
    if (!reserve_released) keep_space_reserve(l);
    st->ids = current_id_map();
  });
  return Store(std::move(st));
}

const std::string& Store::root() const { return state_->layout.root(); }

std::string Store::temp_dir() const { return state_->layout.tmp_dir(); }

Lease Store::lease() {
  unsigned char raw[8];
  if (::getrandom(raw, sizeof raw, 0) != static_cast<ssize_t>(sizeof raw)) throw_errno("getrandom");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (unsigned char b : raw) {
    id += kHex[b >> 4];
    id += kHex[b & 15];
  }
  LeaseRecord rec;
  rec.pid = ::getpid();
  rec.start_time = process_start_time(rec.pid);
  rec.created = unix_now();
  WriteTxn txn(*state_->db);
  txn.put(Db::kLeases, id, encode_lease(rec));
  txn.commit();
  return Lease(state_, id);
}

std::optional<BlobInfo> Store::blob(const Digest& d) const {
  ReadTxn txn(*state_->db);
  auto rec = get_blob(txn, d);
  if (!rec || !rec->present) return std::nullopt;
  return BlobInfo{d, rec->size, rec->refs};
}

std::string Store::blob_path(const Digest& d) const { return state_->layout.blob_path(d); }

std::string Store::read_blob(const Digest& d) const {
  if (!blob(d)) throw Error(Errc::kNotFound, "blob " + d.str() + " is not in the store");
  std::string data = read_file(blob_path(d));
  Digest actual = Digest::of(data);
  if (actual != d)
    throw Error(Errc::kCorrupt, "blob " + d.str() + " is damaged: it hashes to " + actual.str(), 0,
                "run `dabba check --repair` and pull the image again");
  return data;
}

namespace {
void require_lease(const Lease& lease) {
  if (!lease.active())
    throw Error(Errc::kInvalidArgument, "storing content needs an active lease (Store::lease())");
}
}  // namespace

void Store::put_blob(const Digest& d, std::string_view data, const Lease& lease) {
  require_lease(lease);
  StringSource source(data);
  ingest_blob(*state_, d, static_cast<int64_t>(data.size()), source, lease);
}

void Store::put_blob(const Digest& d, int64_t size, ByteSource& source, const Lease& lease) {
  require_lease(lease);
  ingest_blob(*state_, d, size, source, lease);
}

std::optional<LayerInfo> Store::layer(const Digest& diff_id) const {
  ReadTxn txn(*state_->db);
  auto rec = get_layer(txn, diff_id);
  if (!rec) return std::nullopt;
  return LayerInfo{diff_id,           layer_dir(diff_id), rec->tar_size,
                   rec->content_bytes, rec->refs,          rec->blob};
}

std::optional<Digest> Store::diff_id_of(const Digest& blob) const {
  ReadTxn txn(*state_->db);
  auto v = txn.get(Db::kBlobDiffs, blob.hex());
  if (!v) return std::nullopt;
  return digest_from_hex(*v);
}

std::string Store::layer_dir(const Digest& diff_id) const {
  return state_->layout.layer_dir(diff_id);
}

std::string Store::mapped_layer_dir(const Digest& diff_id, const IdMap& map) const {
  return dabba::mapped_layer_dir(state_->layout, diff_id, map);
}

LayerIngest Store::begin_layer(const LayerRequest& request, const Lease& lease) {
  require_lease(lease);
  return LayerIngest(state_, request, lease);
}

std::string Store::container_dir(const std::string& id) const {
  return state_->layout.container_dir(id);
}

}  // namespace dabba
