// dabba rmi [-a] [-f] [-i] IMAGE... (also `image rm`): drops names (store/image_names.h:
// plan_removal says which); an image left without names goes, its content then being gc's.
//
// As podman: -f also removes the containers using the image (and an image id with several tags),
// -a every image, -i ignores images that are not there. Exit 0 when all went, 1 when one was not
// found (and nothing else failed), 2 when one is in use by a container, 125 otherwise.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <set>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/container_removal.h"
#include "cli/containers.h"
#include "common/error.h"
#include "store/image_names.h"
#include "store/store.h"

namespace dabba::cli {
namespace {

constexpr int kExitNotFound = 1;
constexpr int kExitInUse = 2;
constexpr int kExitOther = 125;

// The containers created from these images (ids).
std::vector<std::string> containers_using(const std::string& root,
                                          const std::set<Digest>& manifests) {
  Store store = Store::open(root);
  std::vector<std::string> ids;
  for (const ContainerRecord& c : store.list_containers())
    if (manifests.count(c.image)) ids.push_back(c.id);
  return ids;
}

}  // namespace

Command add_rmi(CLI::App& parent, const std::string& name) {
  struct Args {
    bool force = false;
    bool all = false;
    bool ignore = false;
    std::vector<std::string> refs;
  };
  auto args = std::make_shared<Args>();
  Command cmd;
  cmd.app = parent.add_subcommand(name, "Remove image names (and images nothing names)");
  cmd.app->add_flag("-f,--force", args->force,
                    "also remove the containers using the image, and ids with several tags");
  cmd.app->add_flag("-a,--all", args->all, "remove every image");
  cmd.app->add_flag("-i,--ignore", args->ignore, "ignore images that are not there");
  cmd.app->add_option("image", args->refs, "image names, ids or digests");
  // Names and records only (files go with `dabba gc`); -f enters the namespace itself to remove
  // containers.
  cmd.needs = Needs::kNothing;
  cmd.run = [args](const Globals& globals) {
    if (args->all == !args->refs.empty())
      throw Error(Errc::kInvalidArgument,
                  args->all ? "when using --all, no images can be named"
                            : "image name or id must be specified",
                  0, "dabba rmi IMAGE..., or dabba rmi --all");
    int rc = kExitOk;
    auto note = [&](int code) {
      // In use wins over not found, anything else over both (podman's order).
      if (code == kExitOther || rc == kExitOther) rc = kExitOther;
      else if (code == kExitInUse || rc == kExitInUse) rc = kExitInUse;
      else rc = code;
    };
    std::vector<std::string> refs = args->refs;
    {
      Store store = Store::open(globals.root());
      // -a: every name (an id with several tags would need -f), and the id of unnamed images.
      if (args->all)
        for (const ImageEntry& e : store.list_images()) {
          size_t before = refs.size();
          for (const auto& n : e.names)
            if (!is_dangling_name(n)) refs.push_back(n);
          if (refs.size() == before) refs.push_back(e.image.config.hex());
        }
    }
    if (args->force) {
      // First the containers of the images named (podman's rmi -f), in their own two phases.
      std::set<Digest> manifests;
      {
        Store store = Store::open(globals.root());
        for (const std::string& r : refs)
          if (auto img = find_image(store, r)) manifests.insert(img->manifest);
      }
      std::vector<std::string> ids = containers_using(globals.root(), manifests);
      if (!ids.empty()) {
        ContainerRemoval how;
        how.force = true;
        how.on_error = [&](const std::string&, const Error& e) {
          report_error(e);
          note(kExitOther);
        };
        remove_containers(globals.root(), ids, how);
      }
    }
    Store store = Store::open(globals.root());
    std::set<std::string> deleted;
    for (const std::string& arg : refs) {
      try {
        Removal plan = plan_removal(store, arg, args->force);
        bool gone = false;
        for (const auto& n : plan.names) {
          try {
            gone = store.remove_name(n, args->force) || gone;
          } catch (const Error& e) {
            if (e.code() != Errc::kNotFound) throw;  // gone meanwhile
          }
          if (!is_dangling_name(n)) std::printf("Untagged: %s\n", n.c_str());
        }
        if (gone && deleted.insert(plan.image.config.hex()).second)
          std::printf("Deleted: %s\n", plan.image.config.hex().c_str());
      } catch (const Error& e) {
        if (e.code() == Errc::kNotFound) {
          // -a: removed along with another name; -f: podman 4.3 says nothing and exits 0 too
          if (args->ignore || args->all || args->force) continue;
          report_error(Error(Errc::kNotFound, arg + ": image not known"));
          note(kExitNotFound);
        } else {
          report_error(e);
          note(e.code() == Errc::kConflict ? kExitInUse : kExitOther);
        }
      }
    }
    return rc;
  };
  return cmd;
}

}  // namespace dabba::cli
