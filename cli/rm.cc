// dabba rm [-f] NAME...
//
// Removes containers: their record (unpinning the image and its layers) and their directory. A
// running container is refused unless -f, which kills it first (container_removal.h).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/container_removal.h"
#include "cli/containers.h"

namespace dabba::cli {

Command add_rm(CLI::App& parent) {
  struct Args {
    bool force = false;
    std::vector<std::string> names;
  };
  auto args = std::make_shared<Args>();
  Command cmd;
  cmd.app = parent.add_subcommand("rm", "Remove containers");
  cmd.app->add_flag("-f,--force", args->force, "kill a running container first");
  cmd.app->add_option("container", args->names, "container names or ids")->required();
  cmd.needs = Needs::kNothing;  // enters the namespace itself, after the stops
  cmd.run = [args](const Globals& globals) {
    ContainerRemoval how;
    how.force = args->force;
    how.on_removed = [](const std::string& name) { std::printf("%s\n", name.c_str()); };
    how.on_error = [](const std::string&, const Error& e) { report_error(e); };
    return remove_containers(globals.root(), args->names, how) == 0 ? kExitOk : kExitFailure;
  };
  return cmd;
}

}  // namespace dabba::cli
