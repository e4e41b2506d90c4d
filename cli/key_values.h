// KEY=VALUE items of a repeatable flag (--label, --opt of volume and network create) as a map; a
// lone KEY is KEY="" and a later KEY wins, as podman's.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace dabba::cli {

// Throws Error{kInvalidArgument} `invalid WHAT "ITEM"` for an empty item or one without a key.
std::map<std::string, std::string> key_values(const std::vector<std::string>& items,
                                              const char* what);

}  // namespace dabba::cli
