// dabba ps [-a] [-q] [--format table|json|TEMPLATE] [--no-trunc]
//
// Running containers (-a: all), newest first. Whether one runs is read from its state file and
// checked against the live process (pid and start time, so a recycled pid is not mistaken for it).
// Reads only: no user namespace.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/containers.h"
#include "cli/format_template.h"
#include "cli/table.h"
#include "common/human.h"
#include "store/store.h"

namespace dabba::cli {
namespace {

// `ps` shows the command as Docker does: quoted, cut to 20 characters unless --no-trunc.
std::string command_text(const std::vector<std::string>& argv, bool no_trunc) {
  std::string text;
  for (const auto& a : argv) text += (text.empty() ? "" : " ") + a;
  if (!no_trunc && text.size() > 20) text = text.substr(0, 17) + "...";
  return "\"" + text + "\"";
}

std::string join(const std::vector<std::string>& parts, const char* sep) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : sep) + p;
  return out;
}

nlohmann::json to_json(const ContainerView& v, int64_t now) {
  nlohmann::json j = {
      {"id", v.record.id},
      {"short_id", short_container_id(v.record.id)},
      {"name", v.record.name},
      {"image", v.info.image},
      {"image_id", v.info.image_id},
      {"image_digest", v.record.image.str()},
      {"command", v.info.command},
      {"created", v.record.created},
      {"created_at", format_rfc3339(v.record.created)},
      {"state", state_name(v)},
      {"status", status_text(v, now)},
      {"ports", v.info.ports},
      {"auto_remove", v.info.auto_remove},
  };
  if (v.state) {
    j["pid"] = v.running ? v.state->pid : 0;
    if (v.state->started_at > 0) j["started_at"] = format_rfc3339(v.state->started_at);
    if (v.state->status == runner::ContainerStatus::kExited) {
      j["exit_code"] = v.state->exit_code;
      j["oom_killed"] = v.state->oom_killed;
      if (v.state->finished_at > 0) j["finished_at"] = format_rfc3339(v.state->finished_at);
      if (!v.state->error.empty()) j["error"] = v.state->error;
    }
  }
  return j;
}

// Docker's field names for --format templates.
const std::vector<TemplateField> kPsFields = {
    {"ID", "CONTAINER ID"},      {"Image", "IMAGE"},        {"Command", "COMMAND"},
    {"CreatedAt", "CREATED AT"}, {"RunningFor", "CREATED"}, {"Status", "STATUS"},
    {"State", "STATE"},          {"Ports", "PORTS"},        {"Names", "NAMES"},
};

}  // namespace

Command add_ps(CLI::App& parent) {
  struct Args {
    bool all = false;
    bool quiet = false;
    bool no_trunc = false;
    std::string format = "table";
  };
  auto args = std::make_shared<Args>();
  Command cmd;
  cmd.app = parent.add_subcommand("ps", "List containers");
  cmd.app->add_flag("-a,--all", args->all, "show every container (default: running ones)");
  cmd.app->add_flag("-q,--quiet", args->quiet, "print only container ids");
  cmd.app->add_flag("--no-trunc", args->no_trunc, "full ids and commands");
  cmd.app->add_option("--format", args->format, "table, json or a template ('{{.ID}} {{.Names}}')")
      ->capture_default_str();
  cmd.needs = Needs::kNothing;
  cmd.run = [args](const Globals& globals) {
    std::optional<RowTemplate> tmpl;
    if (args->format != "table" && args->format != "json") tmpl.emplace(args->format, kPsFields);
    Store store = Store::open(globals.root());
    std::vector<ContainerView> views;
    for (const ContainerRecord& r : store.list_containers()) {
      ContainerView v = view_container(store, r);
      if (args->all || v.running) views.push_back(std::move(v));
    }
    std::stable_sort(views.begin(), views.end(), [](const auto& a, const auto& b) {
      return a.record.created > b.record.created;
    });
    const int64_t now = unix_now();
    if (args->format == "json") {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& v : views) out.push_back(to_json(v, now));
      std::printf("%s\n", out.dump(2).c_str());
      return kExitOk;
    }
    auto id_of = [&](const ContainerView& v) {
      return args->no_trunc ? v.record.id : short_container_id(v.record.id);
    };
    if (args->quiet) {
      for (const auto& v : views) std::printf("%s\n", id_of(v).c_str());
      return kExitOk;
    }
    if (tmpl) {
      std::vector<std::map<std::string, std::string>> rows;
      for (const auto& v : views)
        rows.push_back({{"ID", id_of(v)},
                        {"Image", v.info.image},
                        {"Command", command_text(v.info.command, args->no_trunc)},
                        {"CreatedAt", format_rfc3339(v.record.created)},
                        {"RunningFor", time_ago(v.record.created, now)},
                        {"Status", status_text(v, now)},
                        {"State", state_name(v)},
                        {"Ports", join(v.info.ports, ", ")},
                        {"Names", v.record.name}});
      std::fputs(tmpl->render(rows).c_str(), stdout);
      return kExitOk;
    }
    Table table({"CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"});
    for (const auto& v : views)
      table.add({id_of(v), v.info.image, command_text(v.info.command, args->no_trunc),
                 time_ago(v.record.created, now), status_text(v, now), join(v.info.ports, ", "),
                 v.record.name});
    std::fputs(table.str().c_str(), stdout);
    return kExitOk;
  };
  return cmd;
}

}  // namespace dabba::cli
