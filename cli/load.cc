// dabba load [-q] [--platform P] [-i FILE|DIR] (also `image load`): from standard input unless
// -i (a terminal is refused, as podman refuses it; a pipe is copied to a temp file first).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "cli/archive_source.h"
#include "cli/command.h"
#include "cli/commands.h"
#include "cli/input_file.h"
#include "cli/with_store.h"
#include "pull/image_load.h"
#include "store/image_names.h"
#include "store/store.h"

namespace dabba::cli {

Command add_load(CLI::App& parent) {
  struct Args {
    std::string input;
    std::string platform;
    bool quiet = false;
  };
  auto args = std::make_shared<Args>();
  Command cmd = podman_verb(parent, "load", "Load an OCI layout or docker-save archive",
                            Needs::kUserNamespace);
  cmd.app->add_option("-i,--input", args->input,
                      "OCI image layout (directory or tar), docker-archive or dir: layout, "
                      "a file or an http(s):// URL (default: standard input)");
  cmd.app->add_option("--platform", args->platform,
                      "os/arch[/variant] to take from a multi-platform layout");
  cmd.app->add_flag("-q,--quiet", args->quiet, "print only what was loaded");
  cmd.run = with_store([args](Store& store) {
    std::optional<Platform> platform;
    if (!args->platform.empty()) platform = Platform::parse(args->platform);
    InputFile input = InputFile::open(
        args->input.empty(), args->input, store.temp_dir(),
        "cannot read from terminal, use command-line redirection or the --input flag");
    const std::vector<LoadedImage> loaded =
        load_archive_source(store, input.path(), platform, args->quiet);
    for (const auto& img : loaded) {
      bool named = false;
      for (const auto& n : img.names) {
        if (is_dangling_name(n)) continue;
        std::printf("Loaded image: %s\n", n.c_str());
        named = true;
      }
      if (!named) std::printf("Loaded image: %s\n", img.image.config.str().c_str());
    }
    return kExitOk;
  });
  return cmd;
}

}  // namespace dabba::cli
