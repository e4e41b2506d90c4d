// How a layer blob is compressed: the OCI media types' +gzip/+zstd suffixes, and the stream's own
// magic bytes (which win: store/unpack never trusts the media type for the format).
#pragma once

#include <cstddef>
#include <cstdint>

namespace dabba {

enum class Compression { kNone, kGzip, kZstd };
const char* compression_name(Compression c);
// Looks at the first bytes of a stream (at least 4 unless the stream is shorter).
Compression detect_compression(const uint8_t* head, size_t size);

}  // namespace dabba
