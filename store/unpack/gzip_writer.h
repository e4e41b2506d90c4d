// Gzip compression of a stream (ISA-L's igzip at level 1 when built with it: several times zlib's
// speed at a ratio close to `gzip -1`; else zlib at level 1). For layers dabba makes itself
// (commit, import): the compressed blob it stores so push and save have one, as for a pulled layer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace dabba {

class GzipWriter {
 public:
  // Compressed bytes go to sink, in chunks, as they are made.
  using Sink = std::function<void(const uint8_t* data, size_t size)>;
  explicit GzipWriter(Sink sink);
  ~GzipWriter();
  GzipWriter(const GzipWriter&) = delete;
  GzipWriter& operator=(const GzipWriter&) = delete;

  void write(const void* data, size_t size);
  // Ends the stream (trailer with CRC and size); no write() afterwards.
  void finish();
  const char* engine() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dabba
