#include "store/unpack/blob_tee.h"

#include <unistd.h>

#include <vector>

#include "common/error.h"
#include "common/fs.h"

namespace dabba {

BlobTee::BlobTee(int fd, uint64_t local_bytes, ByteSource* rest, bool append, int64_t expected_size)
    : fd_(fd), local_(local_bytes), rest_(rest), append_(append), expected_(expected_size) {}

size_t BlobTee::read(uint8_t* buf, size_t cap) {
  if (eof_ || cap == 0) return 0;
  size_t n = 0;
  if (replayed_ < local_) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(cap, local_ - replayed_));
    ssize_t got =
        DABBA_SYSCALL(::pread(fd_, buf, want, static_cast<off_t>(replayed_)), "ingest file");
    if (got == 0) throw Error(Errc::kFailed, "the partial ingest file shrank while reading it");
    n = static_cast<size_t>(got);
    replayed_ += n;
  } else if (rest_ != nullptr) {
    // With a declared size, ask for at most one byte beyond it: enough to see an overlong stream.
    if (expected_ >= 0) {
      uint64_t left = uint64_t(expected_) - std::min<uint64_t>(total_, uint64_t(expected_));
      cap = static_cast<size_t>(std::min<uint64_t>(cap, left + 1));
    }
    try {
      n = rest_->read(buf, cap);
    } catch (...) {
      source_failed_ = true;
      throw;
    }
    if (n > 0 && append_)
      with_context("append to the ingest file", [&] { write_all(fd_, buf, n); });
  }
  if (n == 0) {
    eof_ = true;
    return 0;
  }
  total_ += n;
  if (expected_ >= 0 && total_ > uint64_t(expected_))
    throw Error(Errc::kDigestMismatch, "the blob is longer than its declared size of " +
                                           std::to_string(expected_) + " bytes");
  hash_.update(buf, n);
  return n;
}

void BlobTee::drain() {
  std::vector<uint8_t> buf(128 * 1024);
  while (read(buf.data(), buf.size()) > 0) {
  }
}

const Digest& BlobTee::digest() {
  if (!digest_) digest_ = hash_.finish();
  return *digest_;
}

}  // namespace dabba
