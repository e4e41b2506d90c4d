// Streaming compressors for layer blobs a push needs in a compression the store does not hold:
// gzip (ISA-L igzip when built with it, else zlib) and zstd. The output depends only on the input
// and the level, so a layer compressed twice gives the same blob digest.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "oci/compression.h"

namespace dabba {

class Compressor {
 public:
  // Where compressed bytes go, in order.
  using Sink = std::function<void(const uint8_t* data, size_t size)>;
  virtual ~Compressor() = default;
  // Compresses the next input bytes (output goes to the sink as it is produced).
  virtual void write(const uint8_t* data, size_t size) = 0;
  // Ends the stream (gzip trailer, zstd epilogue); no write() afterwards.
  virtual void finish() = 0;
  virtual const char* name() const = 0;
};

// level -1: the default (ISA-L level 1 or zlib level 6 for gzip; zstd level 3, as podman).
// kNone passes the bytes through.
std::unique_ptr<Compressor> make_compressor(Compression c, Compressor::Sink sink, int level = -1);

}  // namespace dabba
