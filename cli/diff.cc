// dabba diff [--format json] CONTAINER: what the container changed in its filesystem, from its
// upper dir (overlay's record of it): a whiteout (0:0 character device) is D, a name the image
// also has is C (directories included: overlay copies a directory up when something in it
// changes), any other name is A; the runtime's own mount points (/dev, /etc/hosts, ...) are left
// out, as podman's. Sorted by path, as podman's. Runs in dabba's user namespace (the
// upper dir holds files of the container's ids).
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <memory>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/containers.h"
#include "cli/go_template.h"
#include "common/dir_stream.h"
#include "common/error.h"
#include "common/fs.h"

namespace dabba::cli {
namespace {

struct Change {
  std::string path;
  char kind;  // 'A', 'C', 'D'
};

// What the runtime itself puts in a container's tree (mount points and the files it binds), left
// out as podman leaves them out.
bool runtime_path(const std::string& path) {
  static const char* const kPaths[] = {"/dev",        "/etc/hostname",      "/etc/hosts",
                                       "/etc/resolv.conf", "/proc",         "/run",
                                       "/run/notify", "/run/.containerenv", "/run/secrets",
                                       "/sys",        "/etc/mtab"};
  for (const char* p : kPaths)
    if (path == p) return true;
  return false;
}

bool is_whiteout(const struct stat& st) { return S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0); }

// True when the image (its layers, top first) shows something at rel ("/a/b").
bool in_image(const std::vector<std::string>& layers, const std::string& rel) {
  for (const auto& l : layers) {
    struct stat st;
    if (::lstat((l + rel).c_str(), &st) == 0) return !is_whiteout(st);
  }
  return false;
}

void walk(const std::string& upper, const std::string& rel, const std::vector<std::string>& layers,
          bool parent_added, std::vector<Change>& out) {
  auto dir = DirStream::open_if_exists(upper + rel);
  if (!dir) return;
  while (const struct dirent* e = dir->next()) {
    std::string path = rel + "/" + e->d_name;
    struct stat st;
    if (::fstatat(dir->fd(), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (is_whiteout(st)) {
      out.push_back({path, 'D'});
      continue;
    }
    bool added = parent_added || !in_image(layers, path);
    if (!runtime_path(path)) out.push_back({path, added ? 'A' : 'C'});
    if (S_ISDIR(st.st_mode)) walk(upper, path, layers, added, out);
  }
}

}  // namespace

Command add_diff(CLI::App& parent) {
  struct Args {
    std::string format;
    bool latest = false;
    std::string container;
  };
  auto args = std::make_shared<Args>();
  Command cmd = podman_verb(parent, "diff", "Show what a container changed in its filesystem",
                            Needs::kUserNamespace);
  cmd.app->add_option("--format", args->format, "json, or the default A/C/D lines");
  cmd.app->add_flag("-l,--latest", args->latest, "the container created last");
  cmd.app->add_option("container", args->container, "container name or id");
  cmd.run = [args](const Globals& globals) {
    if (!args->format.empty() && args->format != "json")
      throw Error(Errc::kInvalidArgument, "only json is supported as --format", 0,
                  "use --format json, or no --format for A/C/D lines");
    if (args->latest == !args->container.empty())
      throw Error(Errc::kInvalidArgument, "give one container, or --latest");
    Store store = Store::open(globals.root());
    ContainerView view = view_container(
        store, args->latest ? latest_container(store) : find_container(store, args->container));
    std::vector<std::string> layers;
    for (auto l = view.record.layers.rbegin(); l != view.record.layers.rend(); ++l)
      layers.push_back(store.layer_dir(*l));
    std::vector<Change> changes;
    with_context("read the changes of container " + view.record.name,
                 [&] { walk(view.dir + "/upper", "", layers, false, changes); });
    std::sort(changes.begin(), changes.end(),
              [](const Change& a, const Change& b) { return a.path < b.path; });
    if (args->format == "json") {
      TemplateData j = TemplateData::object();
      const std::pair<char, const char*> kinds[] = {{'C', "changed"}, {'A', "added"}, {'D', "deleted"}};
      for (const auto& [kind, key] : kinds)
        for (const auto& c : changes)
          if (c.kind == kind) j[key].push_back(c.path);
      std::printf("%s\n", j.dump(4).c_str());
      return kExitOk;
    }
    for (const auto& c : changes) std::printf("%c %s\n", c.kind, c.path.c_str());
    return kExitOk;
  };
  return cmd;
}

}  // namespace dabba::cli
