// unpack_into(TAR, DIR): a tar (bytes) unpacked by the store's LayerWriter into DIR, in OverlayFS
// format, for tests that need a layer directory on disk.
#pragma once

#include <algorithm>
#include <string>

#include "common/fs.h"
#include "common/userns.h"
#include "store/unpack/layer_writer.h"
#include "store/unpack/tar_unpack.h"

namespace dabba::testing {

inline void unpack_into(const std::string& tar, const std::string& dir) {
  make_dirs(dir);
  UniqueFd fd = open_dir(dir);
  LayerWriter writer(fd.get(), current_id_map());
  size_t pos = 0;
  unpack_tar(
      [&](const uint8_t** data) {
        size_t n = std::min<size_t>(tar.size() - pos, 10240);
        *data = reinterpret_cast<const uint8_t*>(tar.data()) + pos;
        pos += n;
        return n;
      },
      writer);
  writer.finish();
}

}  // namespace dabba::testing
