// dabba image <verb>: podman's image group (image ls/list, rm, pull, tag, untag, history, save,
// load, import, inspect, exists, prune), the same verbs as the top-level ones.
#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace dabba::cli {

std::vector<Command> add_image_group(CLI::App& parent) {
  CLI::App& image = add_group(parent, "image", "Manage images (image ls, image rm, ...)");
  return {add_images(image, "ls"),  add_rmi(image, "rm"),    add_pull(image),
          add_tag(image),           add_untag(image),        add_history(image),
          add_save(image),          add_load(image),         add_import(image),
          add_image_inspect(image), add_image_exists(image), add_image_prune(image)};
}

}  // namespace dabba::cli
