#include "store/layer_verify.h"

#include <fcntl.h>
#include <sys/stat.h>

#include "common/dir_stream.h"
#include "common/error.h"
#include "store/store_state.h"
#include "store/tree_compare.h"
#include "store/unpack/blob_tee.h"
#include "store/unpack/layer_stream.h"
#include "store/unpack/layer_writer.h"
#include "store/unpack/unpack_layer.h"

namespace dabba {
namespace {

constexpr size_t kListed = 8;  // differences listed per layer; the rest are counted

}  // namespace

DeepLayerCheck deep_check_layer(const StoreState& st, const Digest& diff_id, const Digest& blob,
                                bool keep_fresh) {
  const StoreLayout& layout = st.layout;
  DeepLayerCheck out;
  TempDir fresh(layout.tmp_dir(), layout.unpack_prefix(blob));
  const UniqueFd fresh_fd = open_dir(fresh.path());
  try {
    UniqueFd blob_fd = open_file(layout.blob_path(blob), O_RDONLY);
    struct stat sb;
    DABBA_SYSCALL(::fstat(blob_fd.get(), &sb), "stat the blob");
    const auto size = static_cast<uint64_t>(sb.st_size);
    BlobTee tee(blob_fd.get(), size, nullptr, false, static_cast<int64_t>(size));
    LayerStream stream(tee, st.options.gzip,
                       {st.options.compressed_buffer, st.options.tar_buffer});
    LayerWriter writer(fresh_fd.get(), st.ids);
    unpack_layer(stream, writer, st.options.pipeline_thread, st.options.tar_buffer);
    if (tee.digest() != blob) {
      out.error = "its blob hashes to " + tee.digest().str();
      out.blob_damaged = true;
      return out;
    }
    if (stream.diff_id() != diff_id) {
      out.error = "its blob unpacks to " + stream.diff_id().str();
      return out;
    }
  } catch (const Error& e) {
    if (e.sys_errno() != 0 && e.code() != Errc::kCorrupt) throw;  // the machine, not the blob
    out.error = std::string("cannot unpack its blob again: ") + e.what();
    return out;
  }
  const std::string dir = layout.layer_dir(diff_id);
  if (!path_exists(dir)) {
    out.total = 1;  // the quick check said so already
  } else {
    try {
      UniqueFd have = open_dir(dir);
      TreeComparison c = compare_trees(have.get(), fresh_fd.get(), kListed);
      out.differences = std::move(c.differences);
      out.total = c.total;
    } catch (const Error& e) {
      // An unreadable entry (the quick check names it too): a fresh unpack mends it.
      out.differences = {std::string("cannot compare: ") + e.what()};
      out.total = 1;
    }
  }
  if (keep_fresh) out.fresh.emplace(std::move(fresh));
  return out;
}

void replace_layer_dir(const StoreState& st, const Digest& diff_id, TempDir fresh) {
  const StoreLayout& layout = st.layout;
  const std::string dst = layout.layer_dir(diff_id);
  // Its copies for nested user namespaces first: a crash after the swap must not leave copies of
  // the damaged tree to be used again.
  for (const auto& key : list_dir(layout.mapped_layers_dir()))
    remove_tree(layout.mapped_layers_dir() + "/" + key + "/" + diff_id.hex());
  // The damaged tree moves into a temp dir of its own, removed when this returns.
  TempDir damaged(layout.tmp_dir(), "damaged-" + diff_id.hex() + "-");
  const std::string old = damaged.path() + "/layer";
  if (::rename(dst.c_str(), old.c_str()) != 0 && errno != ENOENT)
    throw_errno("move " + dst + " aside");
  const std::string from = fresh.release();
  if (::rename(from.c_str(), dst.c_str()) != 0) {
    int err = errno;
    remove_tree(from);
    throw_errno("rename " + from + " to " + dst, err);
  }
  if (st.options.sync) fsync_dir(layout.layers_dir());
}

}  // namespace dabba
