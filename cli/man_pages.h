// Man pages generated from the CLI's own definitions (cli_tree.h): dabba(1) with the verbs, and
// dabba-VERB(1) (dabba-network-create(1), ...) with each verb's synopsis and options, so the
// manual says what the parser takes. The build writes them with `dabba __man DIR` and installs
// them with the binary (cmake/install.cmake).
#pragma once

#include <string>

#include "cli/cli11_fwd.h"

namespace dabba::cli {

// Writes DIR/dabba.1 and a DIR/dabba-*.1 for every visible verb and group under root.
void write_man_pages(const CLI::App& root, const std::string& dir);

// The roff text of app's page (exposed for tests).
std::string man_page(const CLI::App& app, const std::string& version);

}  // namespace dabba::cli
