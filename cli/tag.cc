// dabba tag IMAGE TARGET... and dabba untag IMAGE [NAME...] (also `image tag`, `image untag`).
//
// Names are podman's: a target without a registry is a local image, localhost/NAME[:latest].
// untag keeps the image (unnamed: <none> in `images`, its old names in NamesHistory); without
// names it drops every name. A repository's digest name goes with its last tag.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <memory>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/image_view.h"
#include "cli/with_store.h"
#include "common/error.h"
#include "store/image_names.h"
#include "store/store.h"

namespace dabba::cli {
namespace {

bool is_tag(const std::string& name) {
  NameParts p = split_name(name);
  return !p.repository.empty() && p.digest.empty();
}

// The names to drop for `untag image name`: the tag, and the repository's digest names when no
// other tag of that repository is left.
std::vector<std::string> untag_plan(const std::vector<std::string>& names,
                                    const std::string& tag) {
  std::vector<std::string> out = {tag};
  const std::string repo = split_name(tag).repository;
  bool repo_tagged = false;
  for (const auto& n : names)
    if (n != tag && is_tag(n) && split_name(n).repository == repo) repo_tagged = true;
  if (!repo_tagged)
    for (const auto& n : names)
      if (!is_tag(n) && !is_dangling_name(n) && split_name(n).repository == repo) out.push_back(n);
  return out;
}

}  // namespace

Command add_tag(CLI::App& parent) {
  struct Args {
    std::vector<std::string> args;
  };
  auto args = std::make_shared<Args>();
  // Names only.
  Command cmd = podman_verb(parent, "tag", "Add names to an image", Needs::kNothing);
  cmd.app->add_option("image", args->args, "IMAGE TARGET_NAME [TARGET_NAME...]")
      ->required()
      ->expected(2, -1);
  cmd.run = [args](const Globals& globals) {
    std::vector<std::string> names;
    for (size_t i = 1; i < args->args.size(); ++i)
      names.push_back(local_image_name(args->args[i]));  // every target checked before any change
    Store store = Store::open(globals.root());
    ImageRecord image = find_image_or_throw(store, args->args[0]);
    add_named_image(store, image, names, Store::NamePlace::kLast);
    return kExitOk;
  };
  return cmd;
}

Command add_untag(CLI::App& parent) {
  struct Args {
    std::string image;
    std::vector<std::string> names;
  };
  auto args = std::make_shared<Args>();
  Command cmd =
      podman_verb(parent, "untag", "Remove names from an image (the image stays)", Needs::kNothing);
  cmd.app->add_option("image", args->image, "image name or id")->required();
  cmd.app->add_option("name", args->names, "names to remove (default: all)");
  cmd.run = with_store([args](Store& store) {
    ImageRecord image = find_image_or_throw(store, args->image);
    std::vector<std::string> have = store.names_of(image.manifest);
    std::vector<std::string> drop;
    if (args->names.empty()) {
      for (const auto& n : have)
        if (!is_dangling_name(n)) drop.push_back(n);
    } else {
      for (const std::string& text : args->names) {
        std::optional<std::string> name = find_name(store, text);
        if (!name || std::find(have.begin(), have.end(), *name) == have.end())
          throw Error(Errc::kNotFound, text + ": tag not known", 0,
                      "dabba image inspect --format '{{.RepoTags}}' IMAGE lists its names");
        for (const auto& n : untag_plan(have, *name))
          if (std::find(drop.begin(), drop.end(), n) == drop.end()) drop.push_back(n);
      }
    }
    if (drop.empty()) return kExitOk;
    // The image keeps a name of its own (<none>) so it outlives its last tag.
    const std::string dangling = dangling_name(image.manifest);
    store.add_image(image, {dangling});
    for (const auto& n : drop) {
      try {
        store.remove_name(n, true);
      } catch (const Error& e) {
        if (e.code() != Errc::kNotFound) throw;  // gone meanwhile
      }
    }
    for (const auto& n : store.names_of(image.manifest))
      if (!is_dangling_name(n)) {
        store.remove_name(dangling, true);
        break;
      }
    return kExitOk;
  });
  return cmd;
}

}  // namespace dabba::cli
