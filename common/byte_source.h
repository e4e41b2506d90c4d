// A pull-style stream of bytes: a file, a partial ingest followed by the network, or a bounded
// queue that a downloader thread fills. The layer unpacker reads from one.
#pragma once

#include <unistd.h>

#include <cstddef>

#include "common/error.h"

namespace dabba {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to size bytes into buf. Returns 0 only at the end of the stream. Throws Error on
  // failure (a network error, a cancelled pull).
  virtual size_t read(void* buf, size_t size) = 0;
};

// The bytes of an open file descriptor (not owned), from its current offset.
class FdSource final : public ByteSource {
 public:
  explicit FdSource(int fd) : fd_(fd) {}
  size_t read(void* buf, size_t size) override {
    return static_cast<size_t>(DABBA_SYSCALL(::read(fd_, buf, size), "read"));
  }

 private:
  int fd_;
};

}  // namespace dabba
