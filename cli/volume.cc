// dabba volume create|ls|inspect|rm|prune|exists: podman's volume group over the store's volumes
// (store/volumes.cc). Exit codes as podman's: `volume rm` 1 for no such volume, 2 for one in use;
// `volume exists` 0/1; 125 for anything else.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <map>
#include <memory>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/confirm.h"
#include "cli/container_names.h"
#include "cli/container_removal.h"
#include "cli/containers.h"
#include "cli/format_template.h"
#include "cli/key_values.h"
#include "cli/object_group.h"
#include "cli/volumes.h"
#include "cli/with_store.h"
#include "common/error.h"
#include "common/userns.h"

namespace dabba::cli {
namespace {

Command add_volume_create(CLI::App& parent) {
  struct Args {
    std::vector<std::string> labels, options;
    std::string driver = "local";
    bool ignore = false;
    std::string name;
  };
  auto args = std::make_shared<Args>();
  Command cmd = podman_verb(parent, "create", "Create a volume", Needs::kUserNamespace);
  repeatable(cmd.app->add_option("-l,--label", args->labels, "KEY=VALUE label"));
  repeatable(cmd.app->add_option("-o,--opt", args->options, "KEY=VALUE driver option (kept)"));
  cmd.app->add_option("-d,--driver", args->driver, "volume driver (only local)");
  cmd.app->add_flag("--ignore", args->ignore, "an existing volume of that name is no error");
  cmd.app->add_option("name", args->name, "volume name (default: a random 64-hex name)");
  cmd.run = [args](const Globals& globals) {
    if (args->driver != "local")
      throw Error(Errc::kUnsupported, "volume driver \"" + args->driver + "\" is not supported", 0,
                  "dabba has the local driver only");
    VolumeRecord rec;
    rec.name = args->name.empty() ? new_container_id() : args->name;
    rec.labels = key_values(args->labels, "label");
    rec.options = key_values(args->options, "volume option");
    Store store = Store::open(globals.root());
    return create_named(rec.name, args->ignore, [&] { store.create_volume(rec); });
  };
  return cmd;
}

// volume ls: the fields its templates name, with their column headers.
const std::map<std::string, std::string> kLsHeaders = {
    {"Driver", "DRIVER"},        {"Name", "VOLUME NAME"}, {"Mountpoint", "MOUNTPOINT"},
    {"CreatedAt", "CREATED AT"}, {"Labels", "LABELS"},    {"Scope", "SCOPE"},
    {"Options", "OPTIONS"},
};

Command add_volume_ls(CLI::App& parent) {
  auto flags = std::make_shared<ListFlags>();
  Command cmd = add_ls_verb(parent, "List volumes", *flags,
                            "name=, label=, driver=, scope=, dangling=, opt=");
  cmd.run = [flags](const Globals& globals) {
    VolumeFilter filter(flags->filters);
    Store store = Store::open(globals.root());
    std::vector<TemplateData> rows;
    for (const auto& v : store.list_volumes()) {
      if (!filter.match(store, v)) continue;
      if (flags->quiet) {
        std::printf("%s\n", v.name.c_str());
        continue;
      }
      rows.push_back(volume_json(store, v));
    }
    if (flags->quiet) return kExitOk;
    print_list(*flags, rows, "table {{.Driver}}\t{{.Name}}", kLsHeaders);
    return kExitOk;
  };
  return cmd;
}

// What inspect and rm act on: the volumes named, or -a for every volume.
void add_volume_operands(CLI::App& app, bool& all, std::vector<std::string>& names) {
  app.add_flag("-a,--all", all, "every volume");
  app.add_option("volume", names, "volume names");
}

Command add_volume_inspect(CLI::App& parent) {
  struct Args {
    InspectFlags inspect;
    bool all = false;
  };
  auto args = std::make_shared<Args>();
  Command cmd = add_inspect_verb(parent, "Show volumes as JSON", args->inspect);
  add_volume_operands(*cmd.app, args->all, args->inspect.names);
  cmd.run = with_store([args](Store& store) {
    if (!args->all && args->inspect.names.empty())
      throw Error(Errc::kInvalidArgument, "provide one or more volume names or use --all");
    Lookup<TemplateData> asked = look_up<TemplateData>(
        args->inspect.names, [&](const std::string& name) -> std::optional<TemplateData> {
          if (auto v = store.volume(name)) return volume_json(store, *v);
          return std::nullopt;
        });
    std::vector<TemplateData> found;
    if (args->all)
      for (const auto& v : store.list_volumes()) found.push_back(volume_json(store, v));
    for (auto& j : asked.found) found.push_back(std::move(j));
    return print_inspect(
        args->inspect.format, [&] { return TemplateData(found).dump(4); }, found, asked.missing,
        [](const std::string& name) { return Error(Errc::kNotFound, "no such volume " + name); });
  });
  return cmd;
}

// The containers using a volume removed first (rm -f), in the initial namespace as rm does.
void remove_users(const std::string& root, const std::vector<std::string>& ids) {
  ContainerRemoval how;
  how.force = true;
  how.on_error = [](const std::string&, const Error& e) { report_error(e); };
  remove_containers(root, ids, how);
}

Command add_volume_rm(CLI::App& parent) {
  struct Args {
    RemoveFlags rm;
    bool all = false;
  };
  auto args = std::make_shared<Args>();
  // -f stops containers from the initial namespace first
  Command cmd = add_rm_verb(parent, "Remove volumes", args->rm);
  add_volume_operands(*cmd.app, args->all, args->rm.names);
  cmd.run = [args](const Globals& globals) {
    if (args->all == !args->rm.names.empty())
      throw Error(Errc::kInvalidArgument, "choose either one or more volumes or all");
    std::vector<std::string> names = args->rm.names;
    if (args->rm.force || args->all) {
      std::vector<std::string> users;
      {
        Store store = Store::open(globals.root());
        if (args->all)
          for (const auto& v : store.list_volumes()) names.push_back(v.name);
        if (args->rm.force)
          for (const auto& n : names)
            for (const auto& id : store.volume_users(n)) users.push_back(id);
      }
      if (!users.empty()) remove_users(globals.root(), users);
    }
    enter_default_user_namespace();  // a volume's files belong to the container's ids
    Store store = Store::open(globals.root());
    // As podman: 1 for no such volume (none with -f), 2 for one in use.
    return remove_each(
        names, [&](const std::string& name) { store.remove_volume(name); }, args->rm.force);
  };
  return cmd;
}

Command add_volume_prune(CLI::App& parent) {
  auto flags = std::make_shared<PruneFlags>();
  Command cmd = add_prune_verb(parent, "Remove every volume no container uses",
                               Needs::kUserNamespace, *flags, "label=, name=, ... as volume ls");
  cmd.run = [flags](const Globals& globals) {
    VolumeFilter filter(flags->filters);
    Store store = Store::open(globals.root());
    std::vector<std::string> unused;
    for (const auto& v : store.list_volumes())
      if (filter.match(store, v) && store.volume_users(v.name).empty()) unused.push_back(v.name);
    // podman's question lists them, a name a line.
    std::string warning =
        "WARNING! This will remove all volumes not used by at least one container. The following "
        "volumes will be removed:";
    for (const std::string& name : unused) warning += "\n" + name;
    if (!flags->force && !confirm(warning)) return kExitOk;
    // remove_volume refuses one taken meanwhile (kConflict) in the transaction that removes it.
    prune_each(unused, [&](const std::string& name) { store.remove_volume(name); });
    return kExitOk;
  };
  return cmd;
}

}  // namespace

std::vector<Command> add_volume_group(CLI::App& parent) {
  CLI::App& volume = add_group(parent, "volume", "Manage volumes (volume create, ls, rm, ...)");
  return {add_volume_create(volume), add_volume_ls(volume),    add_volume_inspect(volume),
          add_volume_rm(volume),     add_volume_prune(volume), add_volume_exists(volume)};
}

}  // namespace dabba::cli
