// A tar stream given to dabba (cp's `-` source, volume import): plain or compressed (any of
// libarchive's filters), unpacked into a scratch directory by the store's layer writer, which
// refuses names and links leading out of it. The caller copies it on from there
// (common/tree_copy.h).
#pragma once

#include <string>

#include "common/fs.h"

namespace dabba::cli {

// Reads fd to its end. Throws Error{kCorrupt, not_a_tar} when the stream is no (compressed) tar,
// else what the layer writer throws (an unmapped owner, a hostile name).
TempDir unpack_tar_input(int fd, const std::string& scratch_parent, const std::string& not_a_tar);

}  // namespace dabba::cli
