// Streaming decompressors for layer blobs: gzip (ISA-L igzip, or zlib as fallback), zstd, and
// none. The format is chosen from the stream's magic bytes, never trusted from the media type.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "oci/compression.h"

namespace dabba {

enum class GzipEngine {
  kAuto,  // ISA-L when built with it (measured ~2x zlib here, docs/benchmarks.md), else zlib
  kIsal,
  kZlib,
};
// True when this build has ISA-L.
bool have_isal();

class Decompressor {
 public:
  struct Step {
    size_t consumed = 0;
    size_t produced = 0;
  };
  virtual ~Decompressor() = default;
  // Consumes input and produces output; call again with the unconsumed rest and a fresh output
  // buffer. Call with no input to flush pending output. Throws Error{kCorrupt} on bad data.
  virtual Step run(const uint8_t* in, size_t in_size, uint8_t* out, size_t out_size) = 0;
  // True when the compressed stream is complete (its last gzip member / zstd frame ended and all
  // its output was returned). At the end of input, false means the stream was truncated.
  virtual bool finished() const = 0;
  virtual const char* name() const = 0;
};

std::unique_ptr<Decompressor> make_decompressor(Compression c, GzipEngine gzip = GzipEngine::kAuto);

}  // namespace dabba
