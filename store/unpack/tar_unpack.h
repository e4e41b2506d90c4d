// Reads a tar stream with libarchive (tar formats only, no libarchive filters: decompression is
// ours) through a read callback, and hands each entry to a LayerWriter.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

namespace dabba {

class LayerWriter;

// Returns the next chunk of the tar (valid until the next call); 0 at the end.
using TarChunkSource = std::function<size_t(const uint8_t** data)>;

// Unpacks every entry; stops at the end-of-archive marker (the caller hashes what follows).
// Throws Error{kCorrupt} for a malformed tar, or whatever the source or the writer threw.
void unpack_tar(const TarChunkSource& source, LayerWriter& writer);

}  // namespace dabba
