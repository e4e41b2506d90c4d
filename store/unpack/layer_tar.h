// Tars of OverlayFS-format directories: the reverse of LayerWriter (layer_writer.h).
//
//   kLayer   one directory (an unpacked layer, or a container's upper dir) as an OCI layer: a 0:0
//            character device becomes a `.wh.NAME` entry, a directory with the opaque xattr
//            (user.overlay.opaque or trusted.overlay.opaque = "y") gets a `.wh..wh..opq` entry;
//            overlay's own xattrs (user.overlay.*, trusted.*) are left out.
//   kMerged  a stack of directories as the one tree overlay shows (`export`): not in this
//            version (the image verbs' branch brings it); refused.
//
// The output is a function of the directory alone (names in byte order, numeric owners, no user
// or group names, mtimes to the second (to the nanosecond in entries that need a PAX header
// anyway), xattrs user.* and security.capability sorted, whiteout and opaque markers 0:0, mode
// 0000, at the epoch), so the same directory always gives the same tar and so the same diff_id:
// push can write a layer that has no stored blob again and get its digest. Hard links become
// tar hardlinks to their first name in that order; sockets and the root's own entry are skipped.
//
// (The image verbs' branch, with commit and export, has a writer of this same interface;
// whichever lands second keeps one.)
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace dabba {

enum class TreeTarMode { kLayer, kMerged };

struct TreeTarStats {
  uint64_t entries = 0;
  uint64_t file_bytes = 0;  // regular files' data
  uint64_t whiteouts = 0;   // kLayer: .wh. entries written
  uint64_t opaques = 0;     // kLayer: .wh..wh..opq entries written
};

// Receives the tar stream in chunks. May throw; the writer stops and rethrows.
using TarSink = std::function<void(const void* data, size_t size)>;

// Writes the tar of dirs (kLayer: exactly one) to sink. Throws Error naming the path that could
// not be read.
TreeTarStats write_tree_tar(const std::vector<std::string>& dirs, TreeTarMode mode,
                            const TarSink& sink);

}  // namespace dabba
