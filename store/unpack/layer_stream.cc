#include "store/unpack/layer_stream.h"

#include <cstring>

#include "common/error.h"

namespace dabba {

LayerStream::LayerStream(BlobTee& tee, GzipEngine gzip, StreamBuffers buffers)
    : tee_(tee), gzip_(gzip), in_(buffers.compressed), out_(buffers.tar) {}

LayerStream::~LayerStream() = default;

bool LayerStream::fill() {
  in_pos_ = 0;
  in_len_ = tee_.read(in_.data(), in_.size());
  return in_len_ > 0;
}

size_t LayerStream::next(const uint8_t** data) {
  *data = out_.data();
  return read(out_.data(), out_.size());
}

size_t LayerStream::read(uint8_t* out, size_t cap) {
  size_t n = read_unhashed(out, cap);
  hash_tar(out, n);
  return n;
}

size_t LayerStream::read_unhashed(uint8_t* out, size_t cap) {
  if (ended_) return 0;
  if (!dec_) {
    // Enough bytes to see the magic number, or the whole (tiny) stream.
    while (in_len_ < 4) {
      size_t n = tee_.read(in_.data() + in_len_, in_.size() - in_len_);
      if (n == 0) break;
      in_len_ += n;
    }
    compression_ = detect_compression(in_.data(), in_len_);
    dec_ = make_decompressor(compression_, gzip_);
  }
  for (;;) {
    if (in_pos_ == in_len_ && !tee_.at_end()) fill();
    Decompressor::Step s = dec_->run(in_.data() + in_pos_, in_len_ - in_pos_, out, cap);
    in_pos_ += s.consumed;
    if (s.produced > 0) {
      tar_bytes_ += s.produced;
      return s.produced;
    }
    if (in_pos_ == in_len_ && tee_.at_end()) {
      if (!dec_->finished())
        throw Error(Errc::kCorrupt, std::string("the ") + compression_name(compression_) +
                                        " stream is truncated (after " +
                                        std::to_string(tee_.bytes()) + " bytes)");
      ended_ = true;
      return 0;
    }
    if (s.consumed == 0 && in_pos_ < in_len_) {
      // The decompressor wants more than the tail it was given (a header cut by a read):
      // move the tail to the front and append.
      if (tee_.at_end() || (in_pos_ == 0 && in_len_ == in_.size()))
        throw Error(Errc::kCorrupt, std::string(dec_->name()) + " made no progress");
      std::memmove(in_.data(), in_.data() + in_pos_, in_len_ - in_pos_);
      in_len_ -= in_pos_;
      in_pos_ = 0;
      in_len_ += tee_.read(in_.data() + in_len_, in_.size() - in_len_);
    }
  }
}

void LayerStream::finish() {
  const uint8_t* data;
  while (next(&data) > 0) {
  }
}

const Digest& LayerStream::diff_id() {
  if (!diff_id_) diff_id_ = hash_.finish();
  return *diff_id_;
}

}  // namespace dabba
