// dabba container prune [-f] [--filter label=KEY[=VALUE]|label!=...|until=TIME]
//
// podman-container-prune(1): removes every container that is not running (created and exited
// ones), after podman's y/N question unless -f, and prints the full id of each removed. Removal
// is rm's (container_removal.h: record, directory; its anonymous volumes stay, as podman's prune
// leaves them to `volume prune`).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/confirm.h"
#include "cli/container_removal.h"
#include "cli/containers.h"
#include "cli/image_filters.h"
#include "cli/ps_filters.h"
#include "common/error.h"
#include "store/store.h"

namespace dabba::cli {
namespace {

// The ids to remove: not running, and matching every --filter (label: as ps reads it).
std::vector<std::string> prune_candidates(const Store& store,
                                          const std::vector<std::string>& filters) {
  std::vector<std::string> labels;
  std::optional<int64_t> until;
  for (const std::string& f : filters) {
    const size_t eq = f.find('=');
    const std::string key = f.substr(0, eq);
    if (eq != std::string::npos && (key == "label" || key == "label!"))
      labels.push_back(f);
    else if (eq != std::string::npos && key == "until")
      until = parse_until(f.substr(eq + 1), unix_now());
    else
      throw Error(Errc::kInvalidArgument, "\"" + f + "\" is an invalid filter", 0,
                  "container prune filters: label=KEY[=VALUE], label!=KEY[=VALUE], until=TIME");
  }
  const PsFilters label_filter(labels);
  std::vector<std::string> ids;
  for (const ContainerRecord& r : store.list_containers()) {
    const ContainerView v = view_container(store, r);
    if (v.running) continue;
    if (until && r.created >= *until) continue;
    PsRow row;
    row.id = r.id;
    row.name = r.name;
    row.labels = v.info.labels;
    if (!label_filter.matches(row, {})) continue;
    ids.push_back(r.id);
  }
  return ids;
}

}  // namespace

Command add_container_prune(CLI::App& parent) {
  struct Args {
    bool force = false;
    std::vector<std::string> filters;
  };
  auto args = std::make_shared<Args>();
  // remove_containers enters the user namespace itself
  Command cmd = podman_verb(parent, "prune", "Remove all non running containers", Needs::kNothing);
  cmd.app->add_flag("-f,--force", args->force, "do not ask");
  repeatable(
      cmd.app->add_option("--filter", args->filters, "label=KEY[=VALUE], label!=..., until=TIME"));
  cmd.run = [args](const Globals& globals) {
    std::vector<std::string> ids;
    {
      Store store = Store::open(globals.root());
      ids = prune_candidates(store, args->filters);
    }  // closed: remove_containers opens its own, around a namespace change
    if (!args->force && !confirm("WARNING! This will remove all non running containers."))
      return kExitOk;
    ContainerRemoval how;
    how.ignore_missing = true;  // removed meanwhile (a --rm container's owner): as asked
    how.on_removed = [](const std::string& id) {
      std::printf("%s\n", id.c_str());
      std::fflush(stdout);
    };
    int rc = kExitOk;
    how.on_error = [&](const std::string&, const Error& e) {
      report_error(e);
      rc = kExitDabbaFailed;
    };
    remove_containers(globals.root(), ids, how);
    return rc;
  };
  return cmd;
}

}  // namespace dabba::cli
