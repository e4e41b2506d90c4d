#include "store/layer_ingest.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <exception>

#include "common/error.h"
#include "common/fs.h"
#include "common/human.h"
#include "common/no_space.h"
#include "store/blob_ingest.h"
#include "store/lease.h"
#include "store/refs.h"
#include "store/store_state.h"
#include "store/tree_stats.h"
#include "store/unpack/blob_tee.h"
#include "store/unpack/layer_stream.h"
#include "store/unpack/layer_writer.h"
#include "store/unpack/unpack_layer.h"

namespace dabba {

LayerIngest::LayerIngest(std::shared_ptr<StoreState> state, LayerRequest request,
                         const Lease& lease)
    : state_(std::move(state)), req_(std::move(request)), lease_(&lease) {
  if (req_.blob.empty()) throw Error(Errc::kInvalidArgument, "layer ingest without a blob digest");
  with_context("layer " + req_.blob.str(), [&] {
    if (try_reuse()) return;
    const StoreLayout& layout = state_->layout;
    // Lock order everywhere: blob lock, then layer lock, then the publish lock.
    blob_lock_ = FileLock::acquire(layout.blob_lock_path(req_.blob), FileLock::Mode::kExclusive);
    if (!req_.diff_id.empty())
      layer_lock_ =
          FileLock::acquire(layout.layer_lock_path(req_.diff_id), FileLock::Mode::kExclusive);
    if (try_reuse()) {  // someone else finished it while we waited
      layer_lock_.release();
      blob_lock_.release();
      return;
    }
    {
      // Only the unpacked layer is missing: replay the stored blob (pinned, so gc leaves it).
      WriteTxn txn(*state_->db);
      if (auto b = get_blob(txn, req_.blob); b && b->present) {
        lease_->pin(txn, 'b', req_.blob);
        txn.commit();
        blob_stored_ = true;
        local_bytes_ = b->size;
        return;
      }
    }
    struct stat st;
    std::string partial = layout.ingest_path(req_.blob);
    if (::stat(partial.c_str(), &st) == 0) {
      local_bytes_ = static_cast<uint64_t>(st.st_size);
      if (req_.size >= 0 && local_bytes_ > static_cast<uint64_t>(req_.size)) restart();
    }
  });
}

LayerIngest::LayerIngest(LayerIngest&&) noexcept = default;
LayerIngest& LayerIngest::operator=(LayerIngest&&) noexcept = default;
LayerIngest::~LayerIngest() = default;

bool LayerIngest::try_reuse() {
  Digest diff = req_.diff_id;
  {
    ReadTxn txn(*state_->db);
    if (diff.empty()) {
      auto v = txn.get(Db::kBlobDiffs, req_.blob.hex());
      if (!v) return false;
      diff = digest_from_hex(*v);
    }
    if (!get_layer(txn, diff)) return false;
  }
  WriteTxn txn(*state_->db);
  auto layer = get_layer(txn, diff);  // again: gc may have dropped it in between
  if (!layer) return false;
  lease_->pin(txn, 'l', diff);
  txn.commit();
  LayerResult r;
  r.blob = req_.blob;
  r.diff_id = diff;
  r.blob_size = req_.size >= 0 ? static_cast<uint64_t>(req_.size) : 0;
  r.tar_size = layer->tar_size;
  r.content_bytes = layer->content_bytes;
  r.reused = true;
  done_ = r;
  return true;
}

void LayerIngest::restart() {
  if (blob_stored_) return;
  std::string partial = state_->layout.ingest_path(req_.blob);
  if (::unlink(partial.c_str()) != 0 && errno != ENOENT) throw_errno("unlink " + partial);
  local_bytes_ = 0;
}

LayerResult LayerIngest::run(ByteSource& rest) {
  if (done_) return *done_;
  const std::string needed = req_.size > 0
                                 ? "the layer is " + human_size(static_cast<uint64_t>(req_.size)) +
                                       " compressed, and more unpacked"
                                 : std::string();
  LayerResult r = with_context("layer " + req_.blob.str(), [&] {
    return with_space_explained(state_->layout.root(), needed, [&] { return unpack(&rest); });
  });
  done_ = r;
  layer_lock_.release();
  blob_lock_.release();
  return r;
}

LayerResult LayerIngest::unpack(ByteSource* rest) {
  StoreState& st = *state_;
  const StoreLayout& layout = st.layout;
  const std::string partial = layout.ingest_path(req_.blob);
  UniqueFd fd = blob_stored_ ? open_file(layout.blob_path(req_.blob), O_RDONLY)
                             : open_file(partial, O_RDWR | O_CREAT | O_APPEND, 0644);
  TempDir tmp(layout.tmp_dir(), layout.unpack_prefix(req_.blob));
  UniqueFd tmp_fd = open_dir(tmp.path());

  // A stored blob is read whole, at its own size: a request that gives it another size (a
  // hostile manifest or archive naming a stored blob's digest) is refused without touching it.
  // (Read short, its digest would look wrong, and the good blob would be dropped.)
  if (blob_stored_ && req_.size >= 0 && static_cast<uint64_t>(req_.size) != local_bytes_)
    throw Error(Errc::kDigestMismatch,
                "the blob is " + std::to_string(local_bytes_) + " bytes, not the " +
                    std::to_string(req_.size) + " the image gives",
                0, "the image is inconsistent as published");
  BlobTee tee(fd.get(), local_bytes_, blob_stored_ ? nullptr : rest, !blob_stored_,
              blob_stored_ ? static_cast<int64_t>(local_bytes_) : req_.size);
  LayerStream stream(tee, st.options.gzip, {st.options.compressed_buffer, st.options.tar_buffer});
  LayerWriter writer(tmp_fd.get(), st.ids);

  auto discard_partial = [&] {
    if (!blob_stored_) ::unlink(partial.c_str());
    local_bytes_ = 0;
  };
  // Digest and size, once the whole blob went through. A wrong stored blob (damaged on disk) is
  // dropped so that the next pull fetches it again.
  auto verify = [&] {
    if (blob_stored_) {
      try {
        verify_blob(tee, req_.blob, static_cast<int64_t>(local_bytes_));
      } catch (const Error& e) {
        drop_stored_blob();
        throw Error(Errc::kCorrupt,
                    std::string("the stored blob is damaged (") + e.what() + "); it was dropped", 0,
                    "pull the image again");
      }
      return;
    }
    if (tee.short_stream()) verify_blob(tee, req_.blob, req_.size);  // kNetwork, partial kept
    try {
      verify_blob(tee, req_.blob, req_.size);
    } catch (...) {
      discard_partial();
      throw;
    }
  };
  try {
    // (With the pipeline thread, the helper also appends the blob to the ingest file: the tee.)
    unpack_layer(stream, writer, st.options.pipeline_thread, st.options.tar_buffer);
  } catch (...) {
    // The source failed (network, cancel): keep the partial for a resume.
    if (tee.source_failed()) throw;
    // Bad content. Read the rest of the blob to tell a corrupt download (wrong digest) from an
    // image that is bad as published.
    std::exception_ptr original = std::current_exception();
    try {
      tee.drain();
    } catch (...) {
      if (!tee.source_failed()) discard_partial();
      throw;
    }
    verify();
    discard_partial();  // the digest is right: fetching it again would not help
    std::rethrow_exception(original);
  }
  verify();
  const Digest& diff_id = stream.diff_id();
  if (!req_.diff_id.empty() && diff_id != req_.diff_id) {
    discard_partial();
    throw Error(Errc::kDigestMismatch,
                "diff_id mismatch: the image config says " + req_.diff_id.str() +
                    ", the uncompressed layer is " + diff_id.str(),
                0, "the image is inconsistent as published");
  }

  LayerResult r;
  r.blob = req_.blob;
  r.diff_id = diff_id;
  r.blob_size = tee.bytes();
  r.tar_size = stream.tar_bytes();
  r.compression = stream.compression();
  r.resumed_from = local_bytes_;
  TreeStats tree = count_tree(tmp_fd.get());
  r.content_bytes = tree.bytes;
  st.crash_point("unpacked");
  // One syncfs flushes the blob and every unpacked file: far cheaper than an fsync per file, and
  // nothing else of ours is on that filesystem that must not be flushed.
  if (st.options.sync) DABBA_SYSCALL(::syncfs(tmp_fd.get()), "syncfs");
  st.crash_point("synced");
  fd.reset();
  tmp_fd.reset();
  publish(r, tmp.path(), tree.entries);
  tmp.release();
  return r;
}

void LayerIngest::drop_stored_blob() {
  StoreState& st = *state_;
  {
    FileLock publish = st.publish_lock();
    WriteTxn txn(*st.db);
    if (auto b = get_blob(txn, req_.blob)) {
      b->present = false;
      if (b->refs == 0)
        txn.del(Db::kBlobs, req_.blob.hex());
      else
        txn.put(Db::kBlobs, req_.blob.hex(), encode_blob(*b));  // a placeholder keeps the count
    }
    txn.commit();
    ::unlink(st.layout.blob_path(req_.blob).c_str());
  }
  blob_stored_ = false;
  local_bytes_ = 0;
}

void LayerIngest::publish(LayerResult& r, const std::string& tmp_dir, uint64_t entries) {
  StoreState& st = *state_;
  const StoreLayout& layout = st.layout;
  if (!layer_lock_.held())
    layer_lock_ = FileLock::acquire(layout.layer_lock_path(r.diff_id), FileLock::Mode::kExclusive);
  FileLock publish = st.publish_lock();

  bool layer_known;
  {
    ReadTxn txn(*st.db);
    layer_known = get_layer(txn, r.diff_id).has_value();
  }
  if (!blob_stored_) publish_blob_file(st, req_.blob, layout.ingest_path(req_.blob));
  st.crash_point("blob-renamed");
  if (layer_known) {
    remove_tree(tmp_dir);  // unpacked meanwhile from another blob with the same diff_id
  } else {
    std::string dst = layout.layer_dir(r.diff_id);
    if (::rename(tmp_dir.c_str(), dst.c_str()) != 0) {
      if (errno != EEXIST && errno != ENOTEMPTY) throw_errno("rename " + tmp_dir + " to " + dst);
      // A directory without a record: left by a process killed between rename and commit. We
      // hold the layer lock, so nobody else is publishing it.
      remove_tree(dst);
      if (::rename(tmp_dir.c_str(), dst.c_str()) != 0)
        throw_errno("rename " + tmp_dir + " to " + dst);
    }
    if (st.options.sync) fsync_dir(layout.layers_dir());
  }
  st.crash_point("layer-renamed");

  WriteTxn txn(*st.db);
  mark_blob_present(txn, req_.blob, r.blob_size);
  txn.put(Db::kBlobDiffs, req_.blob.hex(), r.diff_id.hex());
  txn.put(Db::kLayerBlobs, layer_blob_key(r.diff_id, r.compression), req_.blob.hex());
  if (!get_layer(txn, r.diff_id)) {
    LayerRecord layer;
    layer.tar_size = r.tar_size;
    layer.content_bytes = r.content_bytes;
    layer.entries = entries;
    layer.added = unix_now();
    layer.blob = req_.blob;
    txn.put(Db::kLayers, r.diff_id.hex(), encode_layer(layer));
  }
  lease_->pin(txn, 'b', req_.blob);
  lease_->pin(txn, 'l', r.diff_id);
  txn.commit();
  st.crash_point("committed");
}

}  // namespace dabba
