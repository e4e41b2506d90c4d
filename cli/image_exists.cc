// dabba image exists IMAGE: exit 0 when the store has it, 1 when not (podman's), no output.
#include <CLI/CLI.hpp>
#include <memory>

#include "cli/command.h"
#include "cli/commands.h"
#include "store/image_names.h"
#include "store/store.h"

namespace dabba::cli {

Command add_image_exists(CLI::App& parent) {
  auto image = std::make_shared<std::string>();
  Command cmd;
  cmd.app = parent.add_subcommand("exists", "Exit 0 if an image is in the store, 1 if not");
  cmd.app->add_option("image", *image, "image name or id")->required();
  cmd.needs = Needs::kNothing;
  cmd.error_exit = kExitDabbaFailed;
  cmd.run = [image](const Globals& globals) {
    Store store = Store::open(globals.root());
    return find_image(store, *image) ? kExitOk : kExitFailure;
  };
  return cmd;
}

}  // namespace dabba::cli
