// dabba export [-o FILE] CONTAINER: the container's filesystem as one tar, as overlay shows it
// (its upper dir over its image's layers, whiteouts applied: store/unpack/layer_tar.h kMerged).
// To stdout unless -o; a terminal is refused, as podman refuses it. Runs in dabba's user
// namespace, so owners are the container's own ids.
#include <fcntl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <memory>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/containers.h"
#include "common/error.h"
#include "common/fs.h"
#include "store/store.h"
#include "store/unpack/layer_tar.h"

namespace dabba::cli {

Command add_export(CLI::App& parent) {
  struct Args {
    std::string output;
    std::string container;
  };
  auto args = std::make_shared<Args>();
  Command cmd = podman_verb(parent, "export", "Write a container's filesystem as a tar",
                            Needs::kUserNamespace);
  cmd.app->add_option("-o,--output", args->output, "file to write (default: stdout)");
  cmd.app->add_option("container", args->container, "container name or id")->required();
  cmd.run = [args](const Globals& globals) {
    if (args->output.empty() && ::isatty(STDOUT_FILENO))
      throw Error(Errc::kInvalidArgument, "refusing to export to terminal", 0,
                  "use -o FILE or redirect stdout");
    Store store = Store::open(globals.root());
    ContainerView view = view_container(store, find_container(store, args->container));
    std::vector<std::string> dirs;
    if (path_exists(view.dir + "/upper")) dirs.push_back(view.dir + "/upper");
    for (auto l = view.record.layers.rbegin(); l != view.record.layers.rend(); ++l)
      dirs.push_back(store.layer_dir(*l));
    UniqueFd file;
    int fd = STDOUT_FILENO;
    if (!args->output.empty()) {
      file = open_file(args->output, O_WRONLY | O_CREAT | O_TRUNC, 0644);
      fd = file.get();
    }
    with_context("export container " + view.record.name, [&] {
      write_tree_tar(dirs, TreeTarMode::kMerged,
                     [&](const void* data, size_t size) { write_all(fd, data, size); });
    });
    if (file.valid()) fsync_fd(file.get(), args->output);
    return kExitOk;
  };
  return cmd;
}

}  // namespace dabba::cli
