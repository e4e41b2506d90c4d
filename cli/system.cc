// dabba system df [-v] [--format], system prune [-a] [-f] [--volumes] [--filter], system reset
// [-f]: the store as a whole, as podman's system verbs.
//
// prune and reset delete files owned by subordinate ids, so they do it inside dabba's user
// namespace (the reason a user cannot simply `rm -rf ~/.local/share/dabba`). Containers go first,
// through the two phases of container_removal.h (their stops run from the initial namespace).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <set>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/confirm.h"
#include "cli/container_removal.h"
#include "cli/containers.h"
#include "cli/format_template.h"
#include "cli/image_prune.h"
#include "cli/image_view.h"
#include "cli/run_options.h"
#include "cli/tab_writer.h"
#include "cli/with_store.h"
#include "common/fault_point.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/human.h"
#include "common/userns.h"
#include "store/networks.h"
#include "store/store.h"

namespace dabba::cli {
namespace {

// The entries of a store root (store/layout.h): reset removes these and then the root if empty,
// never anything else a mistaken --root may hold. The records first: a reset cut short leaves
// files no record names, which the next reset (or gc) removes, never records of missing files.
const char* const kStoreEntries[] = {"db",    "containers", "layers", "layers-mapped",
                                     "blobs", "ingest",     "tmp",    "locks",
                                     "volumes", "networks"};

struct Usage {
  std::string type;
  uint64_t total = 0, active = 0, size = 0, reclaimable = 0;
};

std::string percent(uint64_t part, uint64_t whole) {
  return std::to_string(whole == 0 ? 0 : part * 100 / whole) + "%";
}

int system_df(const Store& store, bool verbose, const std::string& format) {
  std::vector<ImageView> images = view_images(store);
  // Layers by the images using them; an image's unique bytes are its layers no other uses.
  std::map<Digest, std::set<std::string>> users;
  for (const auto& v : images)
    for (const auto& l : v.image.layers) users[l.diff_id].insert(v.id());
  auto layer_bytes = [&](const Digest& d) -> uint64_t {
    auto info = store.layer(d);
    return info ? info->content_bytes : 0;
  };
  Usage img{"Images"};
  std::map<std::string, uint64_t> unique;
  std::set<Digest> active_layers;
  for (const auto& v : images) {
    ++img.total;
    if (v.image.container_refs > 0) {
      ++img.active;
      for (const auto& l : v.image.layers) active_layers.insert(l.diff_id);
    }
    for (const auto& l : v.image.layers)
      if (users[l.diff_id].size() == 1) unique[v.id()] += layer_bytes(l.diff_id);
  }
  for (const auto& [d, who] : users) {
    img.size += layer_bytes(d);
    if (!active_layers.count(d)) img.reclaimable += layer_bytes(d);
  }
  Usage ctr{"Containers"};
  struct ContainerRow {
    ContainerView view;
    uint64_t size;
  };
  std::vector<ContainerRow> containers;
  for (const ContainerRecord& r : store.list_containers()) {
    ContainerView v = view_container(store, r);
    uint64_t size = disk_usage(v.dir + "/upper");
    ++ctr.total;
    ctr.size += size;
    if (v.running)
      ++ctr.active;
    else
      ctr.reclaimable += size;
    containers.push_back({std::move(v), size});
  }
  // A volume is active while a container (running or not) uses it, as podman counts.
  Usage vol{"Local Volumes"};
  struct VolumeUse {
    std::string name;
    size_t links = 0;
    uint64_t size = 0;
  };
  std::vector<VolumeUse> volumes;
  for (const VolumeRecord& r : store.list_volumes()) {
    VolumeUse u{r.name, 0, content_size(store.volume_data_dir(r.name))};
    for (const auto& c : containers)
      u.links += static_cast<size_t>(
          std::count(c.view.record.volumes.begin(), c.view.record.volumes.end(), r.name));
    ++vol.total;
    vol.size += u.size;
    if (u.links > 0)
      ++vol.active;
    else
      vol.reclaimable += u.size;
    volumes.push_back(std::move(u));
  }

  if (verbose) {
    const int64_t now = unix_now();
    std::string out = "Images space usage:\n\n";
    std::string text = "REPOSITORY\tTAG\tIMAGE ID\tCREATED\tSIZE\tSHARED SIZE\tUNIQUE SIZE\tCONTAINERS\n";
    for (const auto& v : images) {
      uint64_t size = v.image.unpacked_size;
      uint64_t own = unique[v.id()];
      std::string created = time_ago(v.image.created > 0 ? v.image.created : v.image.added, now);
      if (created.ends_with(" ago")) created.resize(created.size() - 4);
      std::vector<std::pair<std::string, std::string>> rows;
      for (const auto& t : v.tags) {
        auto colon = t.rfind(':');
        rows.emplace_back(t.substr(0, colon), t.substr(colon + 1));
      }
      if (rows.empty()) rows.emplace_back("<none>", "<none>");
      for (const auto& [repo, tag] : rows)
        text += repo + "\t" + tag + "\t" + v.image.short_id() + "\t" + created + "\t" +
                human_size_compact(size) + "\t" + human_size_compact(size - own) + "\t" +
                human_size_compact(own) + "\t" + std::to_string(v.image.container_refs) + "\n";
    }
    out += tab_align(text) + "\nContainers space usage:\n\n";
    text = "CONTAINER ID\tIMAGE\tCOMMAND\tLOCAL VOLUMES\tSIZE\tCREATED\tSTATUS\tNAMES\n";
    for (const auto& c : containers) {
      std::string command;
      for (const auto& a : c.view.info.command) command += (command.empty() ? "" : " ") + a;
      std::string created = time_ago(c.view.record.created, now);
      if (created.ends_with(" ago")) created.resize(created.size() - 4);
      text += short_container_id(c.view.record.id) + "\t" +
              c.view.info.image_id.substr(c.view.info.image_id.find(':') + 1, 12) + "\t" + command +
              "\t" + std::to_string(c.view.record.volumes.size()) + "\t" +
              human_size_compact(c.size) + "\t" + created + "\t" + state_name(c.view) + "\t" +
              c.view.record.name + "\n";
    }
    out += tab_align(text) + "\nLocal Volumes space usage:\n\n";
    text = "VOLUME NAME\tLINKS\tSIZE\n";
    for (const VolumeUse& u : volumes)
      text += u.name + "\t" + std::to_string(u.links) + "\t" + human_size_compact(u.size) + "\n";
    out += tab_align(text);
    std::fputs(out.c_str(), stdout);
    return kExitOk;
  }
  std::vector<TemplateData> rows;
  for (const Usage& u : {img, ctr, vol})
    rows.push_back({{"Type", u.type},
                    {"Total", u.total},
                    {"Active", u.active},
                    {"Size", human_size_compact(u.size)},
                    {"Reclaimable", human_size_compact(u.reclaimable) + " (" +
                                        percent(u.reclaimable, u.size) + ")"},
                    {"RawSize", u.size},
                    {"RawReclaimable", u.reclaimable}});
  ListFormat list(format,
                  "table {{.Type}}\\t{{.Total}}\\t{{.Active}}\\t{{.Size}}\\t{{.Reclaimable}}",
                  {{"Type", "TYPE"},
                   {"Total", "TOTAL"},
                   {"Active", "ACTIVE"},
                   {"Size", "SIZE"},
                   {"Reclaimable", "RECLAIMABLE"},
                   {"RawSize", "RAW SIZE"},
                   {"RawReclaimable", "RAW RECLAIMABLE"}});
  std::fputs(list.render(rows).c_str(), stdout);
  return kExitOk;
}

Command add_system_df(CLI::App& parent) {
  struct Args {
    bool verbose = false;
    std::string format;
  };
  auto args = std::make_shared<Args>();
  // Container upper dirs hold directories of subordinate ids.
  Command cmd =
      podman_verb(parent, "df", "Show the space images and containers use", Needs::kUserNamespace);
  cmd.app->add_flag("-v,--verbose", args->verbose, "per image and per container");
  cmd.app->add_option("--format", args->format, "table, json or a Go template");
  cmd.run =
      with_store([args](Store& store) { return system_df(store, args->verbose, args->format); });
  return cmd;
}

Command add_system_prune(CLI::App& parent) {
  struct Args {
    bool all = false;
    bool force = false;
    bool volumes = false;
    std::vector<std::string> filters;
  };
  auto args = std::make_shared<Args>();
  // Container removal enters the namespace itself.
  Command cmd =
      podman_verb(parent, "prune", "Remove stopped containers and unused images", Needs::kNothing);
  cmd.app->add_flag("-a,--all", args->all, "every unused image, not only dangling ones");
  cmd.app->add_flag("-f,--force", args->force, "do not ask");
  cmd.app->add_flag("--volumes", args->volumes, "also volumes no container uses");
  repeatable(cmd.app->add_option("--filter", args->filters, "label=KEY[=VALUE], until=TIME"));
  cmd.run = [args](const Globals& globals) {
    if (!args->force) {
      std::string warning =
          "WARNING! This command removes:\n\t- all stopped containers\n"
          "\t- all networks not used by at least one container\n" +
          std::string(args->volumes ? "\t- all volumes not used by at least one container\n"
                                    : "") +
          (args->all ? "\t- all images without at least one container associated with them\n"
                     : "\t- all dangling images\n");
      if (!confirm(warning)) return kExitOk;
    }
    std::vector<std::string> stopped;
    {
      Store store = Store::open(globals.root());
      for (const ContainerRecord& r : store.list_containers())
        if (!view_container(store, r).running) stopped.push_back(r.id);
    }
    int rc = kExitOk;
    std::vector<std::string> removed_containers;
    ContainerRemoval how;
    how.on_removed = [&](const std::string& id) { removed_containers.push_back(id); };
    how.on_error = [&](const std::string&, const Error& e) {
      report_error(e);
      rc = kExitFailure;
    };
    remove_containers(globals.root(), stopped, how);
    enter_default_user_namespace();
    Store store = Store::open(globals.root());
    // Every network but the default and those the remaining (running) containers are on.
    std::vector<std::string> networks;
    for (const Network& n : list_networks(globals.root()))
      if (n.name != kDefaultNetworkName && containers_on_network(store, n.name).empty()) {
        remove_network(globals.root(), n.name);
        networks.push_back(n.name);
      }
    std::vector<std::string> volumes;
    if (args->volumes)
      for (const VolumeRecord& v : store.list_volumes()) {
        if (!store.volume_users(v.name).empty()) continue;
        store.remove_volume(v.name);
        volumes.push_back(v.name);
      }
    std::vector<std::string> images = prune_images(store, args->all, args->filters);
    GcReport freed = store.gc();
    // podman's sections, in its order.
    auto section = [](const char* title, const std::vector<std::string>& items) {
      if (items.empty()) return;
      std::printf("%s\n", title);
      for (const auto& item : items) std::printf("%s\n", item.c_str());
    };
    section("Deleted Containers", removed_containers);
    section("Deleted Networks", networks);
    section("Deleted Volumes", volumes);
    section("Deleted Images", images);
    std::printf("Total reclaimed space: %s\n", human_size_compact(freed.total_bytes()).c_str());
    return rc;
  };
  return cmd;
}

Command add_system_reset(CLI::App& parent) {
  auto force = std::make_shared<bool>(false);
  // Stops run from the initial namespace, deletion from dabba's.
  Command cmd = podman_verb(parent, "reset", "Remove every container and image: the whole store",
                            Needs::kNothing);
  cmd.app->add_flag("-f,--force", *force, "do not ask");
  cmd.run = [force](const Globals& globals) {
    const std::string root = globals.root();
    if (!*force &&
        !confirm("WARNING! This will remove:\n\t- all containers\n\t- all images\n\t- the store "
                 "in " + root))
      return kExitOk;
    if (!path_exists(root)) return kExitOk;
    if (!path_exists(root + "/db"))
      throw Error(Errc::kInvalidArgument, root + " is not a dabba store (it has no db/)", 0,
                  "check --root");
    std::vector<std::string> ids;
    {
      Store store = Store::open(root);
      for (const ContainerRecord& r : store.list_containers()) ids.push_back(r.id);
    }
    ContainerRemoval how;
    how.force = true;
    how.on_error = [](const std::string&, const Error& e) { report_error(e); };
    remove_containers(root, ids, how);
    fault_point("reset-containers-removed");
    // Inside the namespace every file of the store is ours to delete, whatever its owner.
    enter_default_user_namespace();
    for (const char* entry : kStoreEntries) {
      remove_tree(root + "/" + entry);
      if (std::string_view(entry) == "db") fault_point("reset-db-removed");
    }
    // The root itself goes when it is empty and its parent lets us (a --root made by someone
    // else stays, empty).
    if (::rmdir(root.c_str()) != 0 && errno != ENOENT && errno != ENOTEMPTY && errno != EACCES &&
        errno != EPERM)
      throw_errno("remove " + root);
    return kExitOk;
  };
  return cmd;
}

}  // namespace

std::vector<Command> add_system_group(CLI::App& parent) {
  CLI::App& system = add_group(parent, "system", "Manage the store (df, prune, reset)");
  return {add_system_df(system), add_system_prune(system), add_system_reset(system)};
}

}  // namespace dabba::cli
