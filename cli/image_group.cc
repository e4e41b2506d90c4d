// dabba image <verb>: podman's image group (image ls/list, rm, pull, tag, untag, history, save,
// load, import, inspect, exists, prune), the same verbs as the top-level ones.
#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace dabba::cli {

std::vector<Command> add_image_group(CLI::App& parent) {
  CLI::App* image = parent.add_subcommand("image", "Manage images (image ls, image rm, ...)");
  image->require_subcommand(1);
  std::vector<Command> c;
  c.push_back(add_images(*image, "ls"));
  c.push_back(add_rmi(*image, "rm"));
  c.push_back(add_pull(*image));
  c.push_back(add_tag(*image));
  c.push_back(add_untag(*image));
  c.push_back(add_history(*image));
  c.push_back(add_save(*image));
  c.push_back(add_load(*image));
  c.push_back(add_import(*image));
  c.push_back(add_image_inspect(*image));
  c.push_back(add_image_exists(*image));
  c.push_back(add_image_prune(*image));
  return c;
}

}  // namespace dabba::cli
