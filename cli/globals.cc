#include "cli/command.h"
#include "store/root_path.h"

namespace dabba::cli {

std::string Globals::root() const { return resolve_store_root(root_flag); }

}  // namespace dabba::cli
