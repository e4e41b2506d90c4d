#include "cli/volumes.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <optional>
#include <regex>

#include "cli/container_names.h"
#include "cli/container_root.h"
#include "common/error.h"
#include "common/human.h"
#include "common/text.h"
#include "common/tree_copy.h"
#include "runner/path.h"

namespace dabba::cli {

namespace {

// podman's volume states, inspect's NeedsCopyUp and NeedsChown, as files beside a volume's _data:
// copied-up once it was filled from an image, mounted once a container used it.
constexpr const char* kCopiedUp = "copied-up";
constexpr const char* kMounted = "mounted";

std::string volume_marker(const Store& store, const std::string& name, const char* marker) {
  return dirname_of(store.volume_data_dir(name)) + "/" + marker;
}

}  // namespace

TemplateData volume_json(const Store& store, const VolumeRecord& v) {
  TemplateData labels = TemplateData::object(), options = TemplateData::object();
  for (const auto& [k, val] : v.labels) labels[k] = val;
  for (const auto& [k, val] : v.options) options[k] = val;
  TemplateData j = TemplateData::object();
  j["Name"] = v.name;
  j["Driver"] = "local";
  j["Mountpoint"] = store.volume_data_dir(v.name);
  j["CreatedAt"] = format_rfc3339(v.created);
  j["Labels"] = labels;
  j["Scope"] = "local";
  j["Options"] = options;
  j["MountCount"] = 0;
  j["NeedsCopyUp"] = !path_exists(volume_marker(store, v.name, kCopiedUp));
  j["NeedsChown"] = !path_exists(volume_marker(store, v.name, kMounted));
  if (v.anonymous) j["Anonymous"] = true;
  return j;
}

VolumeFilter::VolumeFilter(const std::vector<std::string>& filters) {
  static const std::vector<std::string> keys = {"name",     "label", "driver", "scope",
                                                "dangling", "opt",   "label!"};
  for (const auto& f : filters) {
    auto eq = f.find('=');
    if (eq == std::string::npos || eq == 0)
      throw Error(Errc::kInvalidArgument, "invalid filter \"" + f + "\"", 0,
                  "filters are KEY=VALUE: name, label, driver, scope, dangling, opt");
    std::string key = f.substr(0, eq);
    if (std::find(keys.begin(), keys.end(), key) == keys.end())
      throw Error(Errc::kInvalidArgument, "\"" + key + "\" is an invalid volume filter", 0,
                  "filters are name, label, driver, scope, dangling, opt");
    std::string value = f.substr(eq + 1);
    if (key == "dangling" && value != "true" && value != "false" && value != "1" && value != "0")
      throw Error(Errc::kInvalidArgument, "invalid dangling filter value \"" + value + "\"");
    filters_.emplace_back(key, value);
  }
}

namespace {

bool match_map(const std::map<std::string, std::string>& map, const std::string& want) {
  auto eq = want.find('=');
  auto it = map.find(want.substr(0, eq));
  return it != map.end() && (eq == std::string::npos || it->second == want.substr(eq + 1));
}

bool match_one(const Store& store, const VolumeRecord& v, const std::string& key,
               const std::string& value) {
  if (key == "name") {  // a regular expression, as podman's (a bad one: a plain substring)
    try {
      return std::regex_search(v.name, std::regex(value));
    } catch (const std::regex_error&) {
      return v.name.find(value) != std::string::npos;
    }
  }
  if (key == "label") return match_map(v.labels, value);
  if (key == "label!") return !match_map(v.labels, value);
  if (key == "driver") return value == "local";
  if (key == "scope") return value == "local";
  if (key == "opt") return match_map(v.options, value);
  bool dangling = value == "true" || value == "1";
  return store.volume_users(v.name).empty() == dangling;  // dangling
}

}  // namespace

bool VolumeFilter::match(const Store& store, const VolumeRecord& v) const {
  // Keys AND, values of one key OR.
  std::map<std::string, bool> by_key;
  for (const auto& [key, value] : filters_)
    by_key[key] = by_key[key] || match_one(store, v, key, value);
  return std::all_of(by_key.begin(), by_key.end(), [](const auto& kv) { return kv.second; });
}

namespace {

// Copies the image's directory at target into the new volume's directory (contents, owner, mode),
// as podman does for a volume mounted for the first time. Nothing when the image has no directory
// there.
bool fill_from_image(const Store& store, const ContainerRoot& image, const std::string& volume,
                     const std::string& target) {
  UniqueFd src = image.open(target, O_PATH | O_DIRECTORY);
  if (!src.valid()) return false;
  std::string dir = store.volume_data_dir(volume);
  UniqueFd parent = open_dir(dirname_of(dir));
  with_context("fill volume " + volume + " from the image's " + target, [&] {
    copy_tree(src.get(), target, parent.get(), basename_of(dir), TreeCopy{.keep_owner = true});
  });
  return true;
}

// Whether some layer has target (cheap: no mount), so that a volume is only filled where the
// image may have content.
bool layers_have(const std::vector<std::string>& layers, const std::string& target) {
  struct stat st;
  for (const std::string& layer : layers)
    if (::lstat((layer + target).c_str(), &st) == 0) return true;
  return false;
}

bool empty_dir(const std::string& dir) {
  try {
    return list_directory(dir).empty();
  } catch (const Error&) {
    return false;
  }
}

void mark(const std::string& path) {
  if (!path_exists(path)) write_file_atomic(path, "", Sync::kNone, 0600);
}

// A volume made with -o type=bind,device=DIR or -o type=tmpfs[,o=OPTIONS]: mounted as podman's
// local driver mounts it (the device bound, or a tmpfs of the container's own) instead of its
// directory. False for a plain volume.
bool mount_by_options(const Store& store, runner::MountSpec& m) {
  const std::optional<VolumeRecord> rec = store.volume(*m.volume);
  if (!rec) return false;
  auto option = [&](const char* key) {
    auto it = rec->options.find(key);
    return it == rec->options.end() ? std::string() : it->second;
  };
  const std::string type = lower(option("type"));
  const std::string o = option("o");
  const bool bind = type == "bind" || ("," + o + ",").find(",bind,") != std::string::npos ||
                    ("," + o + ",").find(",rbind,") != std::string::npos;
  if (bind && !option("device").empty()) {
    m.source = option("device");
    return true;
  }
  if (type == "tmpfs") {
    m.kind = runner::MountSpec::Kind::kTmpfs;
    m.source.clear();
    m.tmpfs_options = o;
    return true;
  }
  return false;
}

}  // namespace

std::vector<std::string> prepare_volumes(Store& store, std::vector<runner::MountSpec>& mounts,
                                         const std::vector<std::string>& image_volumes,
                                         const std::vector<std::string>& layers) {
  for (const auto& path : image_volumes) {
    std::string target = runner::clean_path(path);
    bool covered = std::any_of(mounts.begin(), mounts.end(),
                               [&](const runner::MountSpec& m) { return m.target == target; });
    if (covered || target.empty() || target[0] != '/' || target == "/") continue;
    runner::MountSpec m;
    m.target = target;
    m.volume = "";
    mounts.push_back(m);
  }
  std::vector<std::string> names;
  std::optional<ContainerRoot> image;  // mounted once, for the first volume that needs filling
  for (auto& m : mounts) {
    if (!m.volume) continue;
    if (m.volume->empty()) {
      VolumeRecord rec;
      rec.name = new_container_id();  // 64 hex, as podman names anonymous volumes
      rec.anonymous = true;
      store.create_volume(rec);
      m.volume = rec.name;
    } else if (!store.volume(*m.volume)) {
      try {
        store.create_volume(VolumeRecord{.name = *m.volume});
      } catch (const Error& e) {
        if (e.code() != Errc::kAlreadyExists) throw;  // made meanwhile by another run: use it
      }
    }
    if (mount_by_options(store, m)) {
      if (std::find(names.begin(), names.end(), *m.volume) == names.end())
        names.push_back(*m.volume);
      continue;
    }
    // podman's copy-up: a volume still empty is filled from the image's content at its target on
    // the first mount where there is some (a `volume create`d one too); then it never is again.
    const std::string copied_up = volume_marker(store, *m.volume, kCopiedUp);
    if (!path_exists(copied_up) && layers_have(layers, m.target) &&
        empty_dir(store.volume_data_dir(*m.volume))) {
      if (!image) image.emplace(ContainerRoot::mount_layers(layers, "", "", store.temp_dir()));
      if (fill_from_image(store, *image, *m.volume, m.target)) mark(copied_up);
    }
    mark(volume_marker(store, *m.volume, kMounted));
    m.source = store.volume_data_dir(*m.volume);
    if (std::find(names.begin(), names.end(), *m.volume) == names.end()) names.push_back(*m.volume);
  }
  return names;
}

}  // namespace dabba::cli
