// dabba image|volume|container exists NAME: exit 0 when the store has it, 1 when not (podman's),
// no output. The three differ only in how a name is looked up.
#include <CLI/CLI.hpp>
#include <memory>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/with_store.h"
#include "store/image_names.h"
#include "store/store.h"

namespace dabba::cli {

Command add_exists(CLI::App& parent, const std::string& noun, const std::string& argname,
                   const std::string& arghelp, ExistsLookup lookup) {
  auto name = std::make_shared<std::string>();
  Command cmd =
      podman_verb(parent, "exists", "Exit 0 if " + noun + " exists, 1 if not", Needs::kNothing);
  cmd.app->add_option(argname, *name, arghelp)->required();
  cmd.run = with_store(
      [name, lookup](Store& store) { return lookup(store, *name) ? kExitOk : kExitFailure; });
  return cmd;
}

Command add_image_exists(CLI::App& parent) {
  return add_exists(parent, "an image", "image", "image name or id",
                    [](const Store& store, const std::string& name) {
                      return find_image(store, name).has_value();
                    });
}

Command add_volume_exists(CLI::App& parent) {
  return add_exists(
      parent, "a volume", "volume", "volume name",
      [](const Store& store, const std::string& name) { return store.volume(name).has_value(); });
}

Command add_container_exists(CLI::App& parent) {
  Command cmd = add_exists(parent, "a container", "container", "container name or id",
                           [](const Store& store, const std::string& name) {
                             return store.container(name).has_value();
                           });
  // podman's --external also counts containers of other tools (buildah's); dabba has none.
  static bool external = false;
  cmd.app->add_flag("--external", external, "accepted (dabba has no external containers)");
  return cmd;
}

}  // namespace dabba::cli
