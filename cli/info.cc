// dabba info: the store (path, size, counts) and what this host gives a rootless user, with the
// fix for each missing piece. Runs outside dabba's user namespace, to see the host as the user
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
#include "common/error.h"
#include "common/fs.h"
#include "common/human.h"
#include "common/version.h"
#include "store/store.h"

namespace dabba::cli {
namespace {

void print_store(const std::string& root) {
  std::printf("store:\n  path:        %s\n", root.c_str());
  if (!path_exists(root + "/db")) {
    std::printf("  state:       not created yet (the first pull makes it)\n");
    return;
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
  std::printf("  size:        %s (blobs %s, unpacked layers %s)\n",
              human_size(blobs + unpacked).c_str(), human_size(blobs).c_str(),
              human_size(unpacked).c_str());
  std::printf("  images:      %zu (%zu distinct layers)\n", images.size(), layers.size());
  std::printf("  containers:  %zu\n", store.list_containers().size());
}

// `info -f json|TEMPLATE`: podman's info object (podman_info.h) as JSON or through the template.
int print_podman_info(const std::string& root, const std::string& format) {
  TemplateData info = podman_info(root);
  if (is_json_format(format)) {
    std::printf("%s\n", info.dump(4).c_str());
    return kExitOk;
  }
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
    std::printf("dabba %s\n", kVersion);
    const std::string root = globals.root();
    print_store(root);
    std::printf("host:\n");
    int missing = 0;
    for (const HostCheck& c : probe_host(root)) {
      const char* mark = c.status == HostCheck::Status::kOk        ? "ok     "
                         : c.status == HostCheck::Status::kLimited ? "limited"
                                                                   : "MISSING";
      std::printf("  %s  %-20s %s\n", mark, c.name.c_str(), c.detail.c_str());
      if (!c.fix.empty()) std::printf("           %-20s fix: %s\n", "", c.fix.c_str());
      missing += c.status == HostCheck::Status::kMissing;
    }
    if (missing > 0)
      std::printf("%d piece%s missing for rootless containers\n", missing,
                  missing == 1 ? " is" : "s are");
    return kExitOk;
  };
  return cmd;
}

}  // namespace dabba::cli
