// dabba rename CONTAINER NEWNAME
//
// podman-rename(1): the container, in any state, gets the new name and the old one is free. A
// running container keeps its hostname and what it logged until it is started again, as in
// podman. A name another container has is podman's error (exit 125), not a replace.
#include <CLI/CLI.hpp>
#include <memory>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/container_names.h"
#include "cli/containers.h"
#include "common/error.h"
#include "store/store.h"

namespace dabba::cli {

Command add_rename(CLI::App& parent) {
  struct Args {
    std::string container;
    std::string new_name;
  };
  auto args = std::make_shared<Args>();
  Command cmd =
      podman_verb(parent, "rename", "Rename an existing container", Needs::kUserNamespace);
  cmd.app->add_option("container", args->container, "the container (name or id)")->required();
  cmd.app->add_option("newname", args->new_name, "its new name")->required();
  cmd.run = [args](const Globals& globals) {
    std::string name = args->new_name;
    if (!name.empty() && name[0] == '/') name.erase(0, 1);  // podman accepts Docker's "/name"
    try {
      check_container_name(name);
    } catch (const Error&) {
      throw Error(Errc::kInvalidArgument,
                  "names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument");  // podman's
    }
    Store store = Store::open(globals.root());
    const ContainerRecord c = find_container(store, args->container);
    try {
      store.rename_container(c.id, name);
    } catch (Error& e) {
      if (e.code() != Errc::kAlreadyExists) throw;
      // podman's words, which scripts match ("already in use", "container already exists").
      throw Error(Errc::kAlreadyExists,
                  "renaming container " + c.id + ": name " + name +
                      " already in use, cannot rename container " + c.id +
                      ": container already exists",
                  0, "remove that container (dabba rm " + name + ") or choose another name");
    }
    return kExitOk;
  };
  return cmd;
}

}  // namespace dabba::cli
