// dabba image prune [-a] [-f] [--filter label=..|until=..]: removes dangling images (no tag), or
// with -a every image no container uses, prints their ids, then frees their files (gc).
#include "cli/image_prune.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/confirm.h"
#include "cli/image_filters.h"
#include "cli/image_view.h"
#include "cli/run_options.h"
#include "common/error.h"
#include "store/image_names.h"

namespace dabba::cli {

std::vector<std::string> prune_images(Store& store, bool all,
                                      const std::vector<std::string>& filters) {
  ImageFilters filter(store, filters, {"label", "until"});
  std::vector<std::string> removed;
  // Removing an image can leave another without users (never here: dabba has no parent images),
  // so one pass is enough.
  for (const ImageView& v : view_images(store)) {
    if (v.image.container_refs > 0 || (!all && !v.dangling()) || !filter.match(v)) continue;
    bool gone = false;
    for (const auto& n : store.names_of(v.image.manifest)) {
      try {
        gone = store.remove_name(n, false) || gone;
      } catch (const Error& e) {
        if (e.code() != Errc::kNotFound && e.code() != Errc::kConflict) throw;
      }
    }
    if (gone) removed.push_back(v.id());
  }
  return removed;
}

Command add_image_prune(CLI::App& parent) {
  struct Args {
    bool all = false;
    bool force = false;
    std::vector<std::string> filters;
  };
  auto args = std::make_shared<Args>();
  // Gc deletes files owned by subordinate ids.
  Command cmd = podman_verb(parent, "prune", "Remove dangling images (-a: all unused images)",
                            Needs::kUserNamespace);
  cmd.app->add_flag("-a,--all", args->all, "every image no container uses, not only dangling ones");
  cmd.app->add_flag("-f,--force", args->force, "do not ask");
  repeatable(
      cmd.app->add_option("--filter", args->filters, "label=KEY[=VALUE], label!=..., until=TIME"));
  cmd.run = [args](const Globals& globals) {
    if (!args->force &&
        !confirm(args->all ? "WARNING! This command removes all images without at least one "
                             "container associated with them."
                           : "WARNING! This command removes all dangling images."))
      return kExitOk;
    Store store = Store::open(globals.root());
    for (const auto& id : prune_images(store, args->all, args->filters))
      std::printf("%s\n", id.c_str());
    store.gc();
    return kExitOk;
  };
  return cmd;
}

}  // namespace dabba::cli
