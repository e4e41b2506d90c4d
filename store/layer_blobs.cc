// Layer blobs for a push: the stored blob of a layer in a given compression, or one made now.
//
// Where one is looked for, cheapest first: the blob the caller names (the image's own), the
// layer_blobs record (diff_id + compression -> blob, written by ingests and by the makers here),
// the blob the layer was unpacked from, every blob that unpacked to the layer (blob_diffs). A
// blob's compression is read from its first bytes, never trusted from a media type.
//
// Made ones are written like an ingest: into tmp/, hashed on the way, renamed into blobs/ under
// the publish lock, then recorded (blob, blob_diffs, layer_blobs, lease pin) in one transaction;
// flushed first, like any blob. gc keeps a stored blob while its layer is stored, so a second
// push finds it.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <vector>

#include "common/error.h"
#include "common/fs.h"
#include "common/unique_fd.h"
#include "store/blob_ingest.h"
#include "store/lease.h"
#include "store/refs.h"
#include "store/store.h"
#include "store/store_state.h"
#include "store/unpack/compress.h"
#include "store/unpack/decompress.h"
#include "store/unpack/layer_tar.h"

namespace dabba {
namespace {

constexpr size_t kChunk = 256 << 10;

std::optional<Compression> file_compression(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return std::nullopt;
  uint8_t head[4] = {};
  ssize_t n = ::read(fd.get(), head, sizeof head);
  if (n < 0) return std::nullopt;
  return detect_compression(head, static_cast<size_t>(n));
}

// Every stored blob known to unpack to diff_id, with its compression.
std::vector<LayerBlob> stored_blobs_of(const StoreState& st, const Digest& diff_id,
                                       const Digest& hint) {
  std::vector<Digest> candidates;
  {
    ReadTxn txn(*st.db);
    auto add = [&](const Digest& d) {
      if (d.empty()) return;
      for (const Digest& have : candidates)
        if (have == d) return;
      auto diff = txn.get(Db::kBlobDiffs, d.hex());
      auto rec = get_blob(txn, d);
      if (diff && *diff == diff_id.hex() && rec && rec->present) candidates.push_back(d);
    };
    add(hint);
    for (Compression c : {Compression::kGzip, Compression::kZstd, Compression::kNone})
      if (auto b = txn.get(Db::kLayerBlobs, layer_blob_key(diff_id, c)))
        add(digest_from_hex(*b));
    if (auto layer = get_layer(txn, diff_id)) add(layer->blob);
    std::vector<Digest> others;
    txn.scan(Db::kBlobDiffs, "", [&](std::string_view blob, std::string_view diff) {
      if (diff == diff_id.hex()) others.push_back(digest_from_hex(blob));
      return true;
    });
    for (const Digest& d : others) add(d);
  }
  std::vector<LayerBlob> out;
  ReadTxn txn(*st.db);
  for (const Digest& d : candidates) {
    auto c = file_compression(st.layout.blob_path(d));
    auto rec = get_blob(txn, d);
    if (!c || !rec) continue;
    out.push_back({d, rec->size, *c, false});
  }
  return out;
}

// Records blob as diff_id's in compression c (and pins it); false when it is no longer stored.
bool record(const StoreState& st, const LayerBlob& b, const Digest& diff_id, const Lease& lease) {
  WriteTxn txn(*st.db);
  auto rec = get_blob(txn, b.digest);
  if (!rec || !rec->present) return false;
  txn.put(Db::kLayerBlobs, layer_blob_key(diff_id, b.compression), b.digest.hex());
  lease.pin(txn, 'b', b.digest);
  txn.commit();
  return true;
}

// Feeds the uncompressed tar of a stored blob to feed.
void decompress_blob(const std::string& path, Compression c,
                     const std::function<void(const uint8_t*, size_t)>& feed) {
  UniqueFd fd = open_file(path, O_RDONLY);
  std::unique_ptr<Decompressor> d = make_decompressor(c);
  std::vector<uint8_t> in(kChunk), out(kChunk);
  for (;;) {
    ssize_t n = ::read(fd.get(), in.data(), in.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("read " + path);
    size_t off = 0;
    const size_t size = static_cast<size_t>(n);
    // With no input (the end): flush until nothing more comes.
    do {
      Decompressor::Step s = d->run(in.data() + off, size - off, out.data(), out.size());
      off += s.consumed;
      if (s.produced > 0) feed(out.data(), s.produced);
      if (size == 0 && s.produced == 0) break;
    } while (off < size || size == 0);
    if (n == 0) break;
  }
  if (!d->finished())
    throw Error(Errc::kCorrupt, "blob " + path + " ends in the middle of its " + d->name() +
                                    " stream");
}

}  // namespace

std::optional<LayerBlob> Store::find_layer_blob(const Digest& diff_id, Compression c,
                                                const Lease& lease, const Digest& hint) const {
  for (const LayerBlob& b : stored_blobs_of(*state_, diff_id, hint))
    if (b.compression == c && record(*state_, b, diff_id, lease)) return b;
  return std::nullopt;
}

LayerBlob Store::layer_blob(const Digest& diff_id, Compression c, const Lease& lease,
                            const Digest& hint,
                            const std::function<void(uint64_t tar_bytes)>& on_bytes) {
  if (!lease.active())
    throw Error(Errc::kInvalidArgument, "storing content needs an active lease (Store::lease())");
  return with_context("layer " + diff_id.str() + " as " + compression_name(c), [&] {
    if (auto b = find_layer_blob(diff_id, c, lease, hint)) return *b;
    StoreState& st = *state_;
    FileLock lock = FileLock::acquire(st.layout.pack_lock_path(diff_id, compression_name(c)),
                                      FileLock::Mode::kExclusive);
    if (auto b = find_layer_blob(diff_id, c, lease, hint)) return *b;  // made meanwhile
    if (!layer(diff_id)) throw Error(Errc::kNotFound, "the layer is not in the store");

    // The source: a stored blob of the layer (an uncompressed one first: nothing to undo), else
    // the layer's directory.
    std::optional<LayerBlob> source;
    for (const LayerBlob& b : stored_blobs_of(st, diff_id, hint))
      if (!source || b.compression == Compression::kNone) source = b;

    std::string tmp = st.layout.tmp_dir() + "/" + st.layout.pack_prefix(diff_id, compression_name(c)) +
                      "XXXXXX";
    int raw = ::mkstemp(tmp.data());
    if (raw < 0) throw_errno("mkstemp " + tmp);
    UniqueFd fd(raw);
    struct Unlink {
      std::string path;
      bool keep = false;
      ~Unlink() {
        if (!keep) ::unlink(path.c_str());
      }
    } cleanup{tmp};
    ::fchmod(fd.get(), 0644);

    Sha256 tar_hash, blob_hash;
    uint64_t tar_bytes = 0, blob_bytes = 0;
    std::unique_ptr<Compressor> z = make_compressor(c, [&](const uint8_t* d, size_t n) {
      blob_hash.update(d, n);
      write_all(fd.get(), d, n);
      blob_bytes += n;
    });
    auto feed = [&](const uint8_t* d, size_t n) {
      tar_hash.update(d, n);
      z->write(d, n);
      tar_bytes += n;
      if (on_bytes) on_bytes(tar_bytes);
    };
    if (source) {
      decompress_blob(blob_path(source->digest), source->compression, feed);
    } else {
      write_tree_tar({layer_dir(diff_id)}, TreeTarMode::kLayer, [&](const void* d, size_t n) {
        feed(static_cast<const uint8_t*>(d), n);
      });
    }
    z->finish();
    const Digest tar_digest = tar_hash.finish();
    if (tar_digest != diff_id)
      throw Error(Errc::kDigestMismatch,
                  std::string(source ? "blob " + source->digest.str() : "its directory") +
                      " gives a tar whose digest is " + tar_digest.str(),
                  0,
                  source ? "run `dabba check --repair`"
                         : "the layer's files changed since it was made; commit or pull the "
                           "image again");
    LayerBlob made{blob_hash.finish(), blob_bytes, c, true};
    // Flushed before its record, like every blob: a cache, but a later flushed commit of any
    // process carries its record to the disk, and a record must not name bytes a power cut lost
    // (tests/integration/power_cut.sh found one).
    if (st.options.sync) fsync_fd(fd.get(), tmp);
    fd.reset();

    FileLock publish = st.publish_lock();
    bool stored;
    {
      ReadTxn txn(*st.db);
      auto rec = get_blob(txn, made.digest);
      stored = rec && rec->present;
    }
    if (!stored) {
      publish_blob_file(st, made.digest, tmp);
      cleanup.keep = true;
    }
    WriteTxn txn(*st.db);
    mark_blob_present(txn, made.digest, made.size);
    txn.put(Db::kBlobDiffs, made.digest.hex(), diff_id.hex());
    txn.put(Db::kLayerBlobs, layer_blob_key(diff_id, c), made.digest.hex());
    lease.pin(txn, 'b', made.digest);
    txn.commit();
    return made;
  });
}

}  // namespace dabba
