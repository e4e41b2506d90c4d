// A layer's blob unpacked: the tar from stream, its entries written by writer, what follows the
// end-of-archive blocks hashed too, then both finished. The one pipeline of every unpack (a pull's
// ingest, `check --deep`'s fresh copy).
#pragma once

#include <cstddef>

namespace dabba {

class LayerStream;
class LayerWriter;

// pipeline_thread: like `igzip -dc | tar -x` with no pipe to copy through: a helper thread reads
// the blob, hashes it and decompresses; this one hashes the tar (diff_id), parses it and writes
// the files, tar_buffer bytes at a time. Throws what the stream, the tar or the writer threw.
void unpack_layer(LayerStream& stream, LayerWriter& writer, bool pipeline_thread,
                  size_t tar_buffer);

}  // namespace dabba
