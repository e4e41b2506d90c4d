// Where the store lives: --root, else $DABBA_ROOT, else $XDG_DATA_HOME/dabba, else
// ~/.local/share/dabba.
#pragma once

#include <string>

namespace dabba {

std::string resolve_store_root(const std::string& root_flag);

// Where volumes live when not in the store root (podman's --volumepath): the flag made absolute
// is exported as $DABBA_VOLUME_PATH, which every Store of the command and of the processes it
// starts reads (StoreOptions::volume_path). "" when none was given.
void export_volume_path(const std::string& volume_path_flag);
std::string volume_path_from_environment();

}  // namespace dabba
