// CLI11's classes as dabba's headers name them: declared here, so a header that takes a CLI::App&
// need not include CLI/CLI.hpp (some 10,000 lines); the .cc files that register options do.
#pragma once

namespace CLI {
class App;
class Option;
}  // namespace CLI
