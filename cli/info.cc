// dabba info: podman's info object as YAML (or JSON, or a template with --format), then dabba's
// own: the store (path, size, counts) and what this host gives a rootless user, with the fix for
// each missing piece. Runs outside dabba's user namespace, to see the host as the user
// does.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <set>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/format_template.h"
#include "cli/host_probe.h"
#include "cli/podman_info.h"
#include "cli/yaml_text.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/human.h"
#include "common/version.h"
#include "store/store.h"

namespace dabba::cli {
namespace {

// dabba's own part of `info`: the store's size and counts.
TemplateData store_summary(const std::string& root) {
  TemplateData out = {{"path", root}};
  if (!path_exists(root + "/db")) {
    out["state"] = "not created yet (the first pull makes it)";
    return out;
  }
  Store store = Store::open(root);
  std::vector<ImageEntry> images = store.list_images();
  std::set<Digest> layers;
  for (const auto& e : images)
    for (const auto& l : e.image.layers) layers.insert(l.diff_id);
  uint64_t unpacked = 0;
  for (const Digest& d : layers)
    if (auto info = store.layer(d)) unpacked += info->content_bytes;
  uint64_t blobs = 0;
  try {
    blobs = disk_usage(root + "/blobs");
  } catch (const Error&) {
  }
  out["size"] = human_size(blobs + unpacked) + " (blobs " + human_size(blobs) +
                ", unpacked layers " + human_size(unpacked) + ")";
  out["images"] = images.size();
  out["distinctLayers"] = layers.size();
  out["containers"] = store.list_containers().size();
  return out;
}

// What this host gives a rootless user (host_probe.h), each piece with its fix when not ok.
TemplateData host_checks(const std::string& root, int& missing) {
  TemplateData out = TemplateData::array();
  for (const HostCheck& c : probe_host(root)) {
    TemplateData check = {{"name", c.name},
                          {"status", c.status == HostCheck::Status::kOk        ? "ok"
                                     : c.status == HostCheck::Status::kLimited ? "limited"
                                                                               : "MISSING"},
                          {"detail", c.detail}};
    if (!c.fix.empty()) check["fix"] = c.fix;
    out.push_back(std::move(check));
    missing += c.status == HostCheck::Status::kMissing;
  }
  return out;
}

// `info -f json|TEMPLATE`: podman's info object (podman_info.h) as JSON or through the template.
int print_podman_info(const std::string& root, const std::string& format) {
  TemplateData info = podman_info(root);
  if (is_json_format(format)) {
    std::printf("%s\n", info.dump(4).c_str());
    return kExitOk;
  }
  // podman's Go field is CgroupsVersion, its JSON key cgroupVersion: templates name the field.
  if (info.contains("host")) info["host"]["cgroupsVersion"] = info["host"].value("cgroupVersion", "");
  std::string text = GoTemplate("info", format).render(info);
  if (text.empty() || text.back() != '\n') text += '\n';
  std::fputs(text.c_str(), stdout);
  return kExitOk;
}

}  // namespace

Command add_info(CLI::App& parent) {
  struct Args {
    std::string format;
    bool debug = false;
  };
  auto args = std::make_shared<Args>();
  Command cmd =
      podman_verb(parent, "info", "Show the store and what this host allows", Needs::kNothing);
  cmd.app->add_option("-f,--format", args->format,
                      "json or a Go template over podman's info object ({{.Store.GraphRoot}})");
  cmd.app->add_flag("-D,--debug", args->debug, "accepted");
  cmd.run = [args](const Globals& globals) {
    if (!args->format.empty()) return print_podman_info(globals.root(), args->format);
    // podman's info as YAML (what its scripts grep), then dabba's own: the store and the host's
    // pieces for rootless containers.
    const std::string root = globals.root();
    int missing = 0;
    TemplateData dabba = {{"version", kVersion},
                          {"store", store_summary(root)},
                          {"hostChecks", host_checks(root, missing)}};
    std::fputs(to_yaml(podman_info(root)).c_str(), stdout);
    TemplateData own = TemplateData::object();
    own["dabba"] = std::move(dabba);
    std::fputs(to_yaml(own).c_str(), stdout);
    if (missing > 0)
      std::printf("# %d piece%s missing for rootless containers: see dabba.hostChecks\n", missing,
                  missing == 1 ? " is" : "s are");
    return kExitOk;
  };
  return cmd;
}

}  // namespace dabba::cli
