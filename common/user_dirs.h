// The caller's per-user directories as podman and the XDG base-directory spec name them. They are
// the host user's: inside dabba's user namespace (uid 0 there) they still answer for the caller.
#pragma once

#include <string>

namespace dabba {

// $HOME, else the host user's home from /etc/passwd. Throws Error{kNotFound} when neither exists.
std::string user_home_dir();
// $XDG_CONFIG_HOME, else ~/.config.
std::string user_config_dir();
// $XDG_CACHE_HOME, else ~/.cache.
std::string user_cache_dir();
// $XDG_RUNTIME_DIR when set, else "".
std::string user_runtime_dir();

}  // namespace dabba
