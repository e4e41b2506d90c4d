// Where the store lives: --root, else $DABBA_ROOT, else $XDG_DATA_HOME/dabba, else
// ~/.local/share/dabba.
#pragma once

#include <string>

namespace dabba {

std::string resolve_store_root(const std::string& root_flag);

}  // namespace dabba
