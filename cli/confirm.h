// The y/N question podman's prune verbs ask before deleting (skipped with -f/--force).
#pragma once

#include <string>

namespace dabba::cli {

// Prints warning and "Are you sure you want to continue? [y/N] " to stdout and reads an answer
// from stdin. True for y/yes; false otherwise. Throws Error{kInvalidArgument} at end of input
// (podman: "Error: EOF"), so a script without -f fails instead of deleting nothing silently.
bool confirm(const std::string& warning);

}  // namespace dabba::cli
