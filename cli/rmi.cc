// dabba rmi [-f] REF...
//
// A tag drops that name (and the repository's digest name with its last tag there); when no tag
// is left, the image's remaining names go and so does the image (its content is then gc's). An
// image id or digest drops every name. An image that containers use is kept unless -f (it then
// stays, unnamed, until its containers are removed).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "cli/command.h"
#include "cli/commands.h"
#include "common/error.h"
#include "store/image_names.h"
#include "store/store.h"

namespace dabba::cli {
namespace {

bool is_tag(const std::string& name) {
  NameParts p = split_name(name);
  return !p.repository.empty() && p.digest.empty();
}

// The names to drop for arg, and the image they belong to.
std::vector<std::string> names_to_drop(const Store& store, const std::string& arg, bool force,
                                       ImageRecord& image) {
  std::optional<std::string> name = find_name(store, arg);
  std::vector<std::string> all;
  std::vector<std::string> drop;
  if (name) {
    auto m = store.lookup_name(*name);
    auto img = m ? store.image(*m) : std::nullopt;
    if (!img) throw Error(Errc::kNotFound, "no image named '" + arg + "'");
    image = *img;
    all = store.names_of(image.manifest);
    drop.push_back(*name);
    if (is_tag(*name)) {
      const std::string repo = split_name(*name).repository;
      bool repo_tagged = false, any_tag = false;
      for (const auto& n : all) {
        if (n == *name || !is_tag(n)) continue;
        any_tag = true;
        repo_tagged = repo_tagged || split_name(n).repository == repo;
      }
      for (const auto& n : all) {
        if (n == *name) continue;
        if (!any_tag || (!repo_tagged && !is_tag(n) && split_name(n).repository == repo))
          drop.push_back(n);
      }
    }
  } else {
    image = store.resolve_image(arg);  // throws kNotFound
    all = store.names_of(image.manifest);
    size_t tags = 0;
    for (const auto& n : all) tags += is_tag(n);
    if (tags > 1 && !force)
      throw Error(Errc::kConflict,
                  "image " + image.short_id() + " has " + std::to_string(tags) + " tags", 0,
                  "remove them by name, or force it (-f) to remove every one");
    drop = all;
  }
  if (drop.size() == all.size() && image.container_refs > 0 && !force)
    throw Error(Errc::kConflict,
                "image " + image.short_id() + " is used by " +
                    std::to_string(image.container_refs) + " container(s)",
                0, "remove the containers first (dabba rm), or force it (-f)");
  return drop;
}

}  // namespace

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
        ImageRecord image;
        std::vector<std::string> drop = names_to_drop(store, arg, args->force, image);
        bool deleted = false;
        for (const auto& n : drop) {
          try {
            deleted = store.remove_name(n, args->force) || deleted;
          } catch (const Error& e) {
            if (e.code() != Errc::kNotFound) throw;  // gone meanwhile
          }
          if (!is_dangling_name(n)) std::printf("Untagged: %s\n", n.c_str());
        }
        if (deleted) std::printf("Deleted: %s\n", image.config.str().c_str());
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
