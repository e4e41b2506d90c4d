// dabba ps [-a] [-q] [-l] [-n N] [--no-trunc] [--noheading] [--filter K=V]... [--sort KEY]
//          [--format table|json|TEMPLATE] [--external] [-s]
//
// Containers (running ones, or -a all), as podman-ps(1) lists them: podman's columns, its field
// names in --format templates (psReporter's: .ID .Names .Image .Command .Status .State ...), its
// JSON (ListContainer's keys) and its filters (ps_filters.h). Whether one runs is read from its
// state file and checked against the live process (pid and start time, so a recycled pid is not
// mistaken for it). Reads only: no user namespace.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/containers.h"
#include "cli/format_template.h"
#include "cli/ps_filters.h"
#include "common/human.h"
#include "store/store.h"

namespace dabba::cli {
namespace {

// The networks of `network create` it is on (podman lists them; none for slirp4netns).
std::vector<std::string> network_names(const ContainerInfo& info) {
  std::vector<std::string> names;
  for (const auto& n : info.networks) names.push_back(n.name);
  return names;
}

// podman's COMMAND column: the words joined, cut to 17 characters and "..." unless --no-trunc.
std::string command_text(const std::vector<std::string>& argv, bool no_trunc) {
  std::string text;
  for (const auto& a : argv) text += (text.empty() ? "" : " ") + a;
  if (!no_trunc && text.size() > 17) text = text.substr(0, 17) + "...";
  return text;
}

std::string join(const std::vector<std::string>& parts, const char* sep) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : sep) + p;
  return out;
}

struct Listed {
  ContainerView view;
  PsRow row;
};

TemplateData labels_json(const std::map<std::string, std::string>& labels) {
  TemplateData j = TemplateData::object();
  for (const auto& [k, val] : labels) j[k] = val;
  return j;
}

// podman's ListContainer.Mounts: the destinations of the user's mounts.
std::vector<std::string> mount_destinations(const ContainerInfo& info) {
  std::vector<std::string> out;
  for (const ContainerMount& m : info.mounts) out.push_back(m.destination);
  return out;
}

// podman's ListContainer, as `ps --format json` prints it.
TemplateData list_json(const Listed& l) {
  const ContainerView& v = l.view;
  const bool exited = l.row.state == "exited";
  return {
      {"AutoRemove", v.info.auto_remove},
      {"Command", v.info.command},
      {"Created", v.record.created},
      {"CreatedAt", time_ago(v.record.created, unix_now())},
      {"Exited", exited},
      {"ExitedAt", exited && v.state ? v.state->finished_at : 0},
      {"ExitCode", l.row.exit_code.value_or(0)},
      {"Id", v.record.id},
      {"Image", v.info.image},
      {"ImageID", v.info.image_id.rfind("sha256:", 0) == 0 ? v.info.image_id.substr(7)
                                                            : v.info.image_id},
      {"IsInfra", false},
      {"Labels", labels_json(v.info.labels)},
      {"Mounts", mount_destinations(v.info)},
      {"Names", TemplateData::array({v.record.name})},
      {"Namespaces", TemplateData::object()},
      {"Networks", network_names(v.info)},
      {"Pid", v.running ? v.state->pid : 0},
      {"Pod", ""},
      {"PodName", ""},
      {"Ports", v.info.ports},
      {"Size", nullptr},
      {"StartedAt", v.state ? v.state->started_at : 0},
      {"State", l.row.state},
      {"Status", l.row.status},
  };
}

// psReporter's fields, as --format templates see them (strings already as podman shows them).
TemplateData template_row(const Listed& l, bool no_trunc, int64_t now) {
  const ContainerView& v = l.view;
  const std::string image_hex =
      v.info.image_id.rfind("sha256:", 0) == 0 ? v.info.image_id.substr(7) : v.info.image_id;
  const bool exited = l.row.state == "exited";
  return {
      {"ID", no_trunc ? v.record.id : short_container_id(v.record.id)},
      {"Image", v.info.image},
      {"ImageID", no_trunc ? image_hex : image_hex.substr(0, 12)},
      {"Command", command_text(v.info.command, no_trunc)},
      {"CreatedAt", go_time_string(v.record.created)},
      {"Created", go_time_string(v.record.created)},
      {"CreatedHuman", time_ago(v.record.created, now)},
      {"RunningFor", time_ago(v.record.created, now)},
      {"Status", l.row.status},
      {"State", l.row.state},
      {"Ports", join(v.info.ports, ", ")},
      {"Names", v.record.name},
      {"Labels", labels_json(v.info.labels)},
      {"Mounts", mount_destinations(v.info)},
      {"Networks", join(network_names(v.info), ",")},
      {"Pid", v.running ? v.state->pid : 0},
      {"ExitCode", l.row.exit_code.value_or(0)},
      {"Exited", exited},
      {"ExitedAt", exited && v.state ? v.state->finished_at : 0},
      {"StartedAt", v.state ? v.state->started_at : 0},
      {"AutoRemove", v.info.auto_remove},
      {"IsInfra", false},
      {"Pod", ""},
      {"PodName", ""},
      {"Restarts", v.state ? v.state->restart_count : 0},
      {"Size", ""},
  };
}

const std::map<std::string, std::string> kHeaders = {
    {"ID", "CONTAINER ID"},  {"Image", "IMAGE"},       {"ImageID", "IMAGE ID"},
    {"Command", "COMMAND"},  {"CreatedAt", "CREATED AT"}, {"Created", "CREATED"},
    {"CreatedHuman", "CREATED"}, {"RunningFor", "CREATED"}, {"Status", "STATUS"},
    {"State", "STATE"},      {"Ports", "PORTS"},       {"Names", "NAMES"},
    {"Labels", "LABELS"},    {"Mounts", "MOUNTS"},     {"Networks", "NETWORKS"},
    {"Pid", "PID"},          {"ExitCode", "EXIT CODE"}, {"Exited", "EXITED"},
    {"ExitedAt", "EXITED AT"}, {"StartedAt", "STARTED AT"}, {"AutoRemove", "AUTO REMOVE"},
    {"IsInfra", "IS INFRA"}, {"Pod", "POD ID"},        {"PodName", "PODNAME"},
    {"Restarts", "RESTARTS"}, {"Size", "SIZE"},
};

const char* const kDefaultFormat =
    "table {{.ID}}\\t{{.Image}}\\t{{.Command}}\\t{{.CreatedHuman}}\\t{{.Status}}\\t{{.Ports}}"
    "\\t{{.Names}}";

}  // namespace

Command add_ps(CLI::App& parent, const std::string& name) {
  struct Args {
    bool all = false;
    bool quiet = false;
    bool no_trunc = false;
    bool noheading = false;
    bool latest = false;
    bool external = false;
    bool size = false;
    bool namespace_ = false;
    int last = -1;
    std::vector<std::string> filters;
    std::string sort = "created";
    std::string format;
  };
  auto args = std::make_shared<Args>();
  Command cmd = podman_verb(parent, name, "List containers", Needs::kNothing);
  cmd.app->add_flag("-a,--all", args->all, "every container (default: running ones)");
  cmd.app->add_flag("-q,--quiet", args->quiet, "print only container ids");
  cmd.app->add_flag("--no-trunc", args->no_trunc, "full ids and commands");
  cmd.app->add_flag("--noheading", args->noheading, "no header row");
  cmd.app->add_flag("-l,--latest", args->latest, "the newest container only");
  cmd.app->add_option("-n,--last", args->last, "the N newest containers");
  cmd.app->add_flag("--external", args->external,
                    "containers of other tools too (dabba's store has none: nothing added)");
  cmd.app->add_flag("-s,--size", args->size, "sizes (accepted: shown empty)");
  cmd.app->add_flag("--ns,--namespace", args->namespace_, "accepted, ignored");
  repeatable(cmd.app->add_option("-f,--filter", args->filters, "KEY=VALUE (ps_filters.h)"));
  cmd.app->add_option("--sort", args->sort,
                      "command, created, id, image, names, runningfor, size or status")
      ->capture_default_str();
  cmd.app->add_option("--format", args->format, "table, json or a Go template");
  cmd.run = [args](const Globals& globals) {
    PsFilters filters(args->filters);
    // Parsed before the store is read: a bad template costs nothing.
    ListFormat format(args->format, kDefaultFormat, kHeaders, listing_options());
    Store store = Store::open(globals.root());
    const int64_t now = unix_now();
    std::vector<Listed> all;
    for (const ContainerRecord& r : store.list_containers()) {
      Listed l{view_container(store, r), {}};
      l.row = ps_row(l.view, now);
      all.push_back(std::move(l));
    }
    std::vector<PsRow> all_rows;
    for (const auto& l : all) all_rows.push_back(l.row);
    // -l and -n pick among all containers, newest first, as podman's.
    const bool every = args->all || args->latest || args->last >= 0 || filters.has_status();
    std::vector<Listed> shown;
    for (auto& l : all)
      if ((every || l.view.running) && filters.matches(l.row, all_rows)) shown.push_back(l);
    if (args->latest || args->last >= 0) {
      std::stable_sort(shown.begin(), shown.end(), [](const Listed& a, const Listed& b) {
        return a.row.created > b.row.created;
      });
      size_t keep = args->latest ? 1 : static_cast<size_t>(args->last);
      if (shown.size() > keep) shown.resize(keep);
    }
    {
      std::vector<PsRow> rows;
      for (const auto& l : shown) rows.push_back(l.row);
      sort_ps_rows(rows, args->sort);  // sorts the rows; put the views in the same order
      std::vector<Listed> sorted;
      for (const PsRow& r : rows)
        for (auto& l : shown)
          if (l.row.id == r.id) sorted.push_back(std::move(l));
      shown = std::move(sorted);
    }
    if (args->quiet) {
      for (const auto& l : shown)
        std::printf("%s\n", args->no_trunc ? l.row.id.c_str()
                                           : short_container_id(l.row.id).c_str());
      return kExitOk;
    }
    std::vector<TemplateData> rows;
    for (const auto& l : shown)
      rows.push_back(format.json() ? list_json(l) : template_row(l, args->no_trunc, now));
    std::fputs(format.render(rows, !args->noheading).c_str(), stdout);
    return kExitOk;
  };
  return cmd;
}

}  // namespace dabba::cli
