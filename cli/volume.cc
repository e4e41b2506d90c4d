// dabba volume create|ls|inspect|rm|prune|exists: podman's volume group over the store's volumes
// (store/volumes.cc). Exit codes as podman's: `volume rm` 1 for no such volume, 2 for one in use;
// `volume exists` 0/1; 125 for anything else.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/confirm.h"
#include "cli/container_names.h"
#include "cli/container_removal.h"
#include "cli/containers.h"
#include "cli/format_template.h"
#include "cli/key_values.h"
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
    try {
      store.create_volume(rec);
    } catch (const Error& e) {
      if (!(args->ignore && e.code() == Errc::kAlreadyExists)) throw;
    }
    std::printf("%s\n", rec.name.c_str());
    return kExitOk;
  };
  return cmd;
}

Command add_volume_ls(CLI::App& parent) {
  struct Args {
    bool quiet = false, noheading = false;
    std::string format;
    std::vector<std::string> filters;
  };
  auto args = std::make_shared<Args>();
  Command cmd = podman_verb(parent, "ls", "List volumes", Needs::kNothing);
  cmd.app->alias("list");
  cmd.app->add_flag("-q,--quiet", args->quiet, "names only");
  cmd.app->add_flag("-n,--noheading", args->noheading, "no header row");
  cmd.app->add_option("--format", args->format, "table, json or a Go template");
  repeatable(cmd.app->add_option("-f,--filter", args->filters,
                                 "name=, label=, driver=, scope=, dangling=, opt="));
  cmd.run = [args](const Globals& globals) {
    VolumeFilter filter(args->filters);
    Store store = Store::open(globals.root());
    std::vector<TemplateData> rows;
    for (const auto& v : store.list_volumes()) {
      if (!filter.match(store, v)) continue;
      if (args->quiet) {
        std::printf("%s\n", v.name.c_str());
        continue;
      }
      rows.push_back(volume_json(store, v));
    }
    if (args->quiet) return kExitOk;
    ListFormat list(args->format, "table {{.Driver}}\t{{.Name}}",
                    {{"Driver", "DRIVER"}, {"Name", "VOLUME NAME"}, {"Mountpoint", "MOUNTPOINT"},
                     {"CreatedAt", "CREATED AT"}, {"Labels", "LABELS"}, {"Scope", "SCOPE"},
                     {"Options", "OPTIONS"}});
    std::fputs(list.render(rows, !args->noheading).c_str(), stdout);
    return kExitOk;
  };
  return cmd;
}

Command add_volume_inspect(CLI::App& parent) {
  struct Args {
    std::string format;
    bool all = false;
    std::vector<std::string> names;
  };
  auto args = std::make_shared<Args>();
  Command cmd = podman_verb(parent, "inspect", "Show volumes as JSON", Needs::kNothing);
  cmd.app->add_option("-f,--format", args->format, "json (default) or a Go template");
  cmd.app->add_flag("-a,--all", args->all, "every volume");
  cmd.app->add_option("volume", args->names, "volume names");
  cmd.run = with_store([args](Store& store) {
    if (!args->all && args->names.empty())
      throw Error(Errc::kInvalidArgument, "provide one or more volume names or use --all");
    std::vector<TemplateData> found;
    std::vector<std::string> missing;
    if (args->all)
      for (const auto& v : store.list_volumes()) found.push_back(volume_json(store, v));
    for (const auto& n : args->names) {
      if (auto v = store.volume(n))
        found.push_back(volume_json(store, *v));
      else
        missing.push_back(n);
    }
    if (args->format.empty() || is_json_format(args->format)) {
      TemplateData all = TemplateData::array();
      for (auto& j : found) all.push_back(std::move(j));
      std::printf("%s\n", all.dump(4).c_str());
    } else {
      std::fputs(ListFormat(args->format, "", {}).render(found).c_str(), stdout);
    }
    for (const auto& n : missing)
      report_error(Error(Errc::kNotFound, "no such volume " + n));
    return missing.empty() ? kExitOk : 125;
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
    bool force = false, all = false;
    std::string time;
    std::vector<std::string> names;
  };
  auto args = std::make_shared<Args>();
  // -f stops containers from the initial namespace first
  Command cmd = podman_verb(parent, "rm", "Remove volumes", Needs::kNothing);
  cmd.app->alias("remove");
  cmd.app->add_flag("-f,--force", args->force, "remove the containers using them first");
  cmd.app->add_flag("-a,--all", args->all, "every volume");
  cmd.app->add_option("-t,--time", args->time, "seconds before a container is killed (accepted)");
  cmd.app->add_option("volume", args->names, "volume names");
  cmd.run = [args](const Globals& globals) {
    if (args->all == !args->names.empty())
      throw Error(Errc::kInvalidArgument, "choose either one or more volumes or all");
    std::vector<std::string> names = args->names;
    if (args->force || args->all) {
      std::vector<std::string> users;
      {
        Store store = Store::open(globals.root());
        if (args->all)
          for (const auto& v : store.list_volumes()) names.push_back(v.name);
        if (args->force)
          for (const auto& n : names)
            for (const auto& id : store.volume_users(n)) users.push_back(id);
      }
      if (!users.empty()) remove_users(globals.root(), users);
    }
    enter_default_user_namespace();  // a volume's files belong to the container's ids
    Store store = Store::open(globals.root());
    int exit = kExitOk;
    for (const auto& n : names) {
      try {
        store.remove_volume(n);
        std::printf("%s\n", n.c_str());
      } catch (const Error& e) {
        if (args->force && e.code() == Errc::kNotFound) continue;  // as podman: -f, no error
        report_error(e);
        int code = e.code() == Errc::kNotFound ? 1 : e.code() == Errc::kConflict ? 2 : 125;
        if (exit == kExitOk || code == 125 || (code == 2 && exit == 1)) exit = code;
      }
    }
    return exit;
  };
  return cmd;
}

Command add_volume_prune(CLI::App& parent) {
  struct Args {
    bool force = false;
    std::vector<std::string> filters;
  };
  auto args = std::make_shared<Args>();
  Command cmd =
      podman_verb(parent, "prune", "Remove every volume no container uses", Needs::kUserNamespace);
  cmd.app->add_flag("-f,--force", args->force, "do not ask");
  repeatable(cmd.app->add_option("--filter", args->filters, "label=, name=, ... as volume ls"));
  cmd.run = [args](const Globals& globals) {
    VolumeFilter filter(args->filters);
    Store store = Store::open(globals.root());
    std::vector<std::string> unused;
    for (const auto& v : store.list_volumes())
      if (filter.match(store, v) && store.volume_users(v.name).empty()) unused.push_back(v.name);
    // podman's question lists them, a name a line.
    std::string warning =
        "WARNING! This will remove all volumes not used by at least one container. The following "
        "volumes will be removed:";
    for (const std::string& name : unused) warning += "\n" + name;
    if (!args->force && !confirm(warning)) return kExitOk;
    for (const std::string& name : unused) {
      const std::optional<VolumeRecord> v = store.volume(name);
      if (!v || !store.volume_users(name).empty()) continue;  // gone, or taken, meanwhile
      try {
        store.remove_volume(name);
        std::printf("%s\n", name.c_str());
      } catch (const Error& e) {
        if (e.code() != Errc::kConflict && e.code() != Errc::kNotFound) throw;  // raced a run
      }
    }
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
