#include "store/unpack/unpack_layer.h"

#include "store/unpack/layer_stream.h"
#include "store/unpack/layer_writer.h"
#include "store/unpack/prefetch.h"
#include "store/unpack/tar_unpack.h"

namespace dabba {

void unpack_layer(LayerStream& stream, LayerWriter& writer, bool pipeline_thread,
                  size_t tar_buffer) {
  if (pipeline_thread) {
    Prefetcher prefetch([&](uint8_t* buf, size_t cap) { return stream.read_unhashed(buf, cap); },
                        tar_buffer);
    auto next = [&](const uint8_t** d) {
      size_t n = prefetch.next(d);
      stream.hash_tar(*d, n);
      return n;
    };
    unpack_tar(next, writer);
    const uint8_t* rest;
    while (next(&rest) > 0) {  // what follows the end-of-archive blocks
    }
  } else {
    unpack_tar([&](const uint8_t** d) { return stream.next(d); }, writer);
  }
  stream.finish();
  writer.finish();
}

}  // namespace dabba
