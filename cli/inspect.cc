// dabba inspect [--type image|container|all] [-f/--format FORMAT] NAME...
// dabba image inspect [-f/--format FORMAT] IMAGE...
#include "cli/inspect.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/container_inspect.h"
#include "cli/containers.h"
#include "cli/format_template.h"
#include "cli/image_view.h"
#include "cli/object_group.h"
#include "cli/with_store.h"
#include "common/error.h"
#include "store/image_names.h"

namespace dabba::cli {

InspectKind image_inspect_kind() {
  InspectKind k;
  k.type = "image";
  k.find = [](const Store& store, const std::string& name) -> std::optional<TemplateData> {
    auto img = find_image(store, name);
    if (!img) return std::nullopt;
    return inspect_image(store, view_image(store, *img));
  };
  k.template_view = inspect_image_template_view;
  k.not_found_suffix = ": image not known";
  return k;
}

const std::vector<InspectKind>& inspect_kinds() {
  // Containers go first (as podman's --type all).
  static const std::vector<InspectKind> kinds = {container_inspect_kind(), image_inspect_kind()};
  return kinds;
}

int run_inspect(const Store& store, const std::vector<std::string>& names, const std::string& type,
                const std::string& format) {
  std::vector<const InspectKind*> kinds;
  for (const auto& k : inspect_kinds())
    if (type == "all" || type == k.type) kinds.push_back(&k);
  // podman's other types exist but hold nothing here: every name is then not found.
  if (kinds.empty() && type != "pod" && type != "network" && type != "volume")
    throw Error(Errc::kInvalidArgument, "invalid type \"" + type + "\"", 0,
                "--type is image, container, pod, network, volume or all");
  std::vector<TemplateData> found, views;
  std::vector<std::string> missing;
  for (const std::string& name : names) {
    bool hit = false;
    for (const InspectKind* k : kinds) {
      if (auto j = k->find(store, name)) {
        views.push_back(k->template_view ? k->template_view(*j) : *j);
        found.push_back(std::move(*j));
        hit = true;
        break;
      }
    }
    if (!hit) missing.push_back(name);
  }
  auto not_found = [&](const std::string& name) {
    return Error(Errc::kNotFound,
                 "inspecting object: " + (type == "all" ? "no such object: \"" + name + "\""
                                          : kinds.size() == 1 && !kinds[0]->not_found_suffix.empty()
                                              ? name + kinds[0]->not_found_suffix
                                              : "no such " + type + " " + name));
  };
  return print_inspect(
      format, [&] { return TemplateData(found).dump(4); }, views, missing, not_found);
}

Command add_inspect(CLI::App& parent) {
  struct Args {
    InspectFlags inspect;
    std::string type = "all";
    bool size = false;
    bool latest = false;
  };
  auto args = std::make_shared<Args>();
  Command cmd =
      add_inspect_verb(parent, "Show details of containers or images as JSON", args->inspect);
  cmd.app->add_option("-t,--type", args->type, "image, container or all")->capture_default_str();
  cmd.app->add_flag("-s,--size", args->size, "container sizes (with container inspect)");
  cmd.app->add_flag("-l,--latest", args->latest, "the container created last");
  cmd.app->add_option("name", args->inspect.names, "names or ids");
  cmd.run = with_store([args](Store& store) {
    std::vector<std::string> names = args->inspect.names;
    if (args->latest) {
      if (!names.empty())
        throw Error(Errc::kInvalidArgument, "--latest and arguments cannot be used together");
      names.push_back(latest_container(store).id);
    }
    if (names.empty())
      throw Error(Errc::kInvalidArgument, "inspect needs a container or image (or --latest)");
    return run_inspect(store, names, args->latest ? "container" : args->type, args->inspect.format);
  });
  return cmd;
}

Command add_image_inspect(CLI::App& parent) {
  auto args = std::make_shared<InspectFlags>();
  Command cmd = add_inspect_verb(parent, "Show details of images as JSON", *args);
  cmd.app->add_option("image", args->names, "image names or ids")->required();
  cmd.run = with_store(
      [args](Store& store) { return run_inspect(store, args->names, "image", args->format); });
  return cmd;
}

}  // namespace dabba::cli
