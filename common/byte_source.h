// A pull-style stream of bytes: a file, a partial ingest followed by the network, or a bounded
// queue that a downloader thread fills. The layer unpacker reads from one.
#pragma once

#include <cstddef>

namespace dabba {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to size bytes into buf. Returns 0 only at the end of the stream. Throws Error on
  // failure (a network error, a cancelled pull).
  virtual size_t read(void* buf, size_t size) = 0;
};

}  // namespace dabba
