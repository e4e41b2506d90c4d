// Internal (`check --deep`): a layer unpacked again from its stored blob into tmp/ and compared
// with its directory under layers/, so a file modified, added or removed there since the pull is
// found; with --repair the fresh unpack takes the damaged directory's place.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/fs.h"
#include "oci/digest.h"

namespace dabba {

struct StoreState;

struct DeepLayerCheck {
  std::vector<std::string> differences;  // "PATH: what", the first few
  size_t total = 0;                      // every difference found
  std::string error;                     // the blob could not be unpacked again: why
  bool blob_damaged = false;             // ... because it does not hash to its digest
  std::optional<TempDir> fresh;          // the new unpack, when kept (keep_fresh, no error)
  bool ok() const { return error.empty() && total == 0; }
};

// Unpacks blob (stored, the layer's own) into a temp dir under tmp/ and compares
// layers/<diff_id hex> with it. The unpack's diff_id must be diff_id. keep_fresh: the temp dir is
// kept in the result (for replace_layer_dir). What the blob holds makes an error in the result; a
// failure of this machine (ENOSPC in tmp/, EMFILE) is thrown, so that no repair acts on it.
DeepLayerCheck deep_check_layer(const StoreState& st, const Digest& diff_id, const Digest& blob,
                                bool keep_fresh);

// --repair: fresh takes layers/<diff_id hex>'s place (the damaged tree is removed), and the
// layer's copies for nested user namespaces (layers-mapped/) go, to be made again from it.
// The caller holds the store's exclusive lock.
void replace_layer_dir(const StoreState& st, const Digest& diff_id, TempDir fresh);

}  // namespace dabba
