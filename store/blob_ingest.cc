#include "store/blob_ingest.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "common/error.h"
#include "common/fs.h"
#include "common/human.h"
#include "common/no_space.h"
#include "store/lease.h"
#include "store/refs.h"
#include "store/store_state.h"

namespace dabba {

size_t StringSource::read(void* buf, size_t size) {
  size_t n = std::min(size, data_.size() - pos_);
  std::memcpy(buf, data_.data() + pos_, n);
  pos_ += n;
  return n;
}

void verify_blob(BlobTee& tee, const Digest& expected, int64_t expected_size) {
  if (tee.short_stream())
    throw Error(Errc::kNetwork, "the stream ended after " + std::to_string(tee.bytes()) + " of " +
                                    std::to_string(expected_size) + " bytes");
  if (expected_size >= 0 && tee.bytes() != static_cast<uint64_t>(expected_size))
    throw Error(Errc::kDigestMismatch, "size mismatch: expected " + std::to_string(expected_size) +
                                           " bytes, got " + std::to_string(tee.bytes()));
  const Digest& actual = tee.digest();
  if (actual != expected)
    throw Error(Errc::kDigestMismatch,
                "digest mismatch: expected " + expected.str() + ", got " + actual.str() + " (" +
                    std::to_string(tee.bytes()) + " bytes)",
                0, "the registry or the network delivered other bytes than the manifest names");
}

void publish_blob_file(const StoreState& st, const Digest& d, const std::string& from) {
  std::string to = st.layout.blob_path(d);
  if (::rename(from.c_str(), to.c_str()) != 0) throw_errno("rename " + from + " to " + to);
  if (st.options.sync) fsync_dir(st.layout.blobs_dir());
}

namespace {

void record_blob(StoreState& st, const Digest& d, uint64_t size, const Lease& lease) {
  WriteTxn txn(*st.db);
  mark_blob_present(txn, d, size);
  lease.pin(txn, 'b', d);
  txn.commit();
}

// Pins d when it is stored; false when it is not.
bool pin_if_stored(StoreState& st, const Digest& d, const Lease& lease) {
  WriteTxn txn(*st.db);
  auto rec = get_blob(txn, d);
  if (!rec || !rec->present) return false;
  lease.pin(txn, 'b', d);
  txn.commit();
  return true;
}

void store_blob(StoreState& st, const Digest& d, int64_t size, ByteSource& source,
                const Lease& lease) {
  if (pin_if_stored(st, d, lease)) return;
  FileLock lock = FileLock::acquire(st.layout.blob_lock_path(d), FileLock::Mode::kExclusive);
  if (pin_if_stored(st, d, lease)) return;  // another writer finished while we waited

  std::string path = st.layout.ingest_path(d);
  UniqueFd fd = open_file(path, O_RDWR | O_CREAT | O_TRUNC | O_APPEND, 0644);
  BlobTee tee(fd.get(), 0, &source, true, size);
  try {
    std::vector<uint8_t> buf(64 * 1024);
    while (tee.read(buf.data(), buf.size()) > 0) {
    }
    verify_blob(tee, d, size);
  } catch (...) {
    if (!tee.source_failed()) ::unlink(path.c_str());
    throw;
  }
  if (st.options.sync) fsync_fd(fd.get(), path);
  fd.reset();
  FileLock publish = st.publish_lock();
  publish_blob_file(st, d, path);
  st.crash_point("blob-stored");
  record_blob(st, d, tee.bytes(), lease);
}

}  // namespace

void ingest_blob(StoreState& st, const Digest& d, int64_t size, ByteSource& source,
                 const Lease& lease) {
  const std::string needed =
      size > 0 ? "the blob is " + human_size(static_cast<uint64_t>(size)) : std::string();
  with_context("blob " + d.str(), [&] {
    with_space_explained(st.layout.root(), needed, [&] { store_blob(st, d, size, source, lease); });
  });
}

}  // namespace dabba
