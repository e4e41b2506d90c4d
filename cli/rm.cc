// dabba rm [-a] [-f] [-i] [-t SECS] [-v] [--depend] [--cidfile FILE] [CONTAINER...]
//
// Removes containers: their record (unpinning the image and its layers) and their directory. A
// running container is refused unless -f, which stops it first (container_removal.h). Exit codes
// as podman-rm(1): 1 when a container does not exist, else 2 when one is running (without -f),
// else 125 for any other failure. A container others depend on (they share its network
// namespace) is refused, podman's words, unless --depend removes them first.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <map>
#include <string_view>
#include <memory>
#include <optional>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/container_info.h"
#include "cli/container_removal.h"
#include "cli/container_targets.h"
#include "cli/containers.h"
#include "store/store.h"

namespace dabba::cli {
namespace {

// Each container's dependents, the containers sharing its network namespace (--network
// container:ID), as podman counts them: one pass over the records, whatever the number removed.
std::map<std::string, std::vector<std::string>> dependents_by_id(const Store& store) {
  constexpr std::string_view kShared = "container:";
  std::map<std::string, std::vector<std::string>> out;
  for (const ContainerRecord& r : store.list_containers()) {
    const std::string network = decode_container_info(r.runner_json).network;
    if (network.rfind(kShared, 0) == 0) out[network.substr(kShared.size())].push_back(r.id);
  }
  return out;
}

// The names to remove, each one's dependents first: with --depend all of them; without, a
// container with dependents not among the names is reported with podman's words and left out
// (dependents_left is then set).
std::vector<std::string> with_dependents(const Store& store, const std::vector<std::string>& names,
                                         bool depend, bool& dependents_left) {
  // Dependents that are being removed anyway (rm -a) need no --depend.
  std::vector<std::string> ids;
  for (const std::string& name : names)
    if (std::optional<ContainerRecord> r = store.container(name)) ids.push_back(r->id);
  auto removed_too = [&](const std::string& id) {
    return std::find(ids.begin(), ids.end(), id) != ids.end();
  };
  const std::map<std::string, std::vector<std::string>> by_id = dependents_by_id(store);
  std::vector<std::string> out;
  for (const std::string& name : names) {
    std::optional<ContainerRecord> record = store.container(name);
    std::vector<std::string> dependents;
    if (record)
      if (auto it = by_id.find(record->id); it != by_id.end()) dependents = it->second;
    if (!depend && !std::all_of(dependents.begin(), dependents.end(), removed_too)) {
      std::string list;
      for (const std::string& d : dependents) list += (list.empty() ? "" : ", ") + d;
      report_error(Error(Errc::kConflict,
                         "container " + record->id +
                             " has dependent containers which must be removed before it: " +
                             list + ": container already exists",
                         0, "remove them first, or give --depend"));
      dependents_left = true;
      continue;
    }
    for (const std::string& d : dependents)
      if (std::find(out.begin(), out.end(), d) == out.end()) out.push_back(d);
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  }
  return out;
}

}  // namespace

Command add_rm(CLI::App& parent, const std::string& name) {
  struct Args {
    bool force = false;
    bool volumes = false;
    bool depend = false;
    std::optional<int> time;
    TargetFlags targets;
  };
  auto args = std::make_shared<Args>();
  // Enters the namespace itself, after the stops.
  Command cmd = podman_verb(parent, name, "Remove containers", Needs::kNothing);
  cmd.app->add_flag("-f,--force", args->force, "stop a running container first");
  cmd.app
      ->add_option("-t,--time", args->time,
                   "with -f: seconds the stop signal has before SIGKILL (default: SIGKILL at once)")
      ->check(CLI::Range(-1, 24 * 3600));
  cmd.app->add_flag("-v,--volumes", args->volumes, "remove the containers' anonymous volumes");
  cmd.app->add_flag("--depend", args->depend,
                    "remove the containers that depend on them first (--network container:)");
  add_target_flags(*cmd.app, args->targets, true);
  cmd.run = [args](const Globals& globals) {
    std::vector<std::string> names;
    bool dependents_left = false;
    {
      Store store = Store::open(globals.root());
      names = with_dependents(store, resolve_targets(store, args->targets), args->depend,
                              dependents_left);
    }  // closed: remove_containers opens its own, around a namespace change
    ContainerRemoval how;
    how.force = args->force;
    if (args->time) how.stop_seconds = *args->time < 0 ? 24 * 3600 : *args->time;
    how.ignore_missing = args->targets.ignore || args->force;  // podman 4.3: -f implies -i
    how.anonymous_volumes = args->volumes;
    how.on_removed = [](const std::string& n) {
      std::printf("%s\n", n.c_str());
      std::fflush(stdout);
    };
    bool missing = false, running = false;
    how.on_error = [&](const std::string&, const Error& e) {
      report_error(e);
      missing |= e.code() == Errc::kNotFound;
      running |= e.code() == Errc::kConflict;
    };
    if (remove_containers(globals.root(), names, how) == 0 && !dependents_left) return kExitOk;
    return missing ? kExitFailure : running ? 2 : kExitDabbaFailed;
  };
  return cmd;
}

}  // namespace dabba::cli
