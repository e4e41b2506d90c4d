// Tars of OverlayFS-format directories: the reverse of LayerWriter (layer_writer.h).
//
//   kLayer   one directory (an unpacked layer, or a container's upper dir) as an OCI layer: a 0:0
//            character device becomes a `.wh.NAME` entry, a directory with the opaque xattr
//            (user.overlay.opaque or trusted.overlay.opaque = "y") gets a `.wh..wh..opq` entry;
//            overlay's own xattrs (user.overlay.*, trusted.*) are left out.
//   kMerged  a stack of directories, top first, as the one tree overlay shows (`export`):
//            whiteouts hide what is below them, an opaque directory hides the lower ones' content,
//            and no whiteout appears in the tar.
//
// The output is a function of the tree alone, so the same directory always gives the same tar and
// the same diff_id (push can write again a layer that has no stored blob and get its digest):
// names sorted, xattrs (user.* and security.capability) sorted, whiteout and opaque markers
// 0:0 mode 0000 at the epoch, times whole seconds, owners numeric
// (the ids as this process sees them: inside dabba's user namespace, the container's own), hard
// links within one directory tree become tar hardlinks, sockets are skipped. Every open is
// beneath its layer root without following symlinks (openat2), so a running container that swaps
// a directory for a symlink cannot make dabba read outside the tree.
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
