// dabba rmi [-f] REF...: drops names (store/image_names.h: plan_removal says which); an image
// left without names goes, its content then being gc's. An image that containers use is kept
// unless -f (it then stays, unnamed, until its containers are removed).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "cli/command.h"
#include "cli/commands.h"
#include "common/error.h"
#include "store/image_names.h"
#include "store/store.h"

namespace dabba::cli {

Command add_rmi(CLI::App& parent) {
  struct Args {
    bool force = false;
    std::vector<std::string> refs;
  };
  auto args = std::make_shared<Args>();
  Command cmd;
  cmd.app = parent.add_subcommand("rmi", "Remove image names (and images nothing names)");
  cmd.app->add_flag("-f,--force", args->force, "remove even when containers use the image");
  cmd.app->add_option("image", args->refs, "image names, ids or digests")->required();
  cmd.needs = Needs::kNothing;  // names and records only: files go with `dabba gc`
  cmd.run = [args](const Globals& globals) {
    Store store = Store::open(globals.root());
    int rc = kExitOk;
    for (const std::string& arg : args->refs) {
      try {
        Removal plan = plan_removal(store, arg, args->force);
        bool deleted = false;
        for (const auto& n : plan.names) {
          try {
            deleted = store.remove_name(n, args->force) || deleted;
          } catch (const Error& e) {
            if (e.code() != Errc::kNotFound) throw;  // gone meanwhile
          }
          if (!is_dangling_name(n)) std::printf("Untagged: %s\n", n.c_str());
        }
        if (deleted) std::printf("Deleted: %s\n", plan.image.config.str().c_str());
      } catch (const Error& e) {
        std::fprintf(stderr, "dabba: error: %s\n", e.what());
        if (!e.hint().empty()) std::fprintf(stderr, "dabba: hint: %s\n", e.hint().c_str());
        rc = kExitFailure;
      }
    }
    return rc;
  };
  return cmd;
}

}  // namespace dabba::cli
