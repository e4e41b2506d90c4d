#include "cli/image_view.h"

#include <algorithm>
#include <set>

#include "common/error.h"
#include "common/fs.h"
#include "store/image_names.h"

namespace dabba::cli {
namespace {

using json = TemplateData;

json read_config(const Store& store, const Digest& config) {
  std::string text;
  // Verified when stored (and by `check`): read, not re-hashed, as `run` does.
  if (!read_file_if_exists(store.blob_path(config), text)) return json::object();
  try {
    json j = json::parse(text);
    return j.is_object() ? j : json::object();
  } catch (const json::exception&) {
    return json::object();
  }
}

ImageView make_view(const Store& store, const ImageRecord& image, std::vector<std::string> names) {
  ImageView v;
  v.image = image;
  std::set<std::string> digests, repos_with_digest;
  for (auto& n : names) {
    if (is_dangling_name(n)) continue;
    NameParts p = split_name(n);
    if (p.digest.empty()) {
      v.tags.push_back(n);
    } else {
      digests.insert(n);
      repos_with_digest.insert(p.repository);
    }
    v.names.push_back(n);
  }
  // podman lists repo@<manifest digest> for every repository the image is tagged in.
  for (const auto& t : v.tags) {
    std::string repo = split_name(t).repository;
    if (!repos_with_digest.count(repo)) digests.insert(repo + "@" + image.manifest.str());
  }
  v.digests.assign(digests.begin(), digests.end());
  // names and tags stay in the image's order (Store: names_order), as podman's RepoTags.
  v.config = read_config(store, image.config);
  return v;
}

json object_or_empty(const json& parent, const char* key) {
  auto it = parent.find(key);
  return it != parent.end() && it->is_object() ? *it : json::object();
}

std::string string_or_empty(const json& parent, const char* key) {
  auto it = parent.find(key);
  return it != parent.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

const json& ImageView::runtime_config() const {
  static const json kEmpty = json::object();
  auto it = config.find("config");
  return it != config.end() && it->is_object() ? *it : kEmpty;
}

ImageView view_image(const Store& store, const ImageEntry& entry) {
  return make_view(store, entry.image, entry.names);
}

ImageView view_image(const Store& store, const ImageRecord& image) {
  return make_view(store, image, store.names_of(image.manifest));
}

std::vector<ImageView> view_images(const Store& store) {
  std::vector<ImageView> out;
  for (const ImageEntry& e : store.list_images()) out.push_back(view_image(store, e));
  return out;
}

ImageRecord find_image_or_throw(const Store& store, const std::string& text) {
  if (auto img = find_image(store, text)) return *img;
  throw Error(Errc::kNotFound, text + ": image not known", 0,
              "dabba images lists the images; dabba pull fetches one");
}

std::vector<HistoryEntry> image_history(const Store& store, const ImageView& view) {
  std::vector<HistoryEntry> out;
  const json hist = view.config.value("history", json::array());
  size_t layer = 0;
  auto layer_size = [&](size_t i) -> uint64_t {
    if (i >= view.image.layers.size()) return 0;
    auto info = store.layer(view.image.layers[i].diff_id);
    return info ? info->content_bytes : 0;
  };
  if (hist.is_array() && !hist.empty()) {
    for (const json& h : hist) {
      if (!h.is_object()) continue;
      HistoryEntry e;
      e.created = string_or_empty(h, "created");
      e.created_by = string_or_empty(h, "created_by");
      e.comment = string_or_empty(h, "comment");
      e.author = string_or_empty(h, "author");
      e.empty_layer = h.value("empty_layer", false);
      if (!e.empty_layer) e.size = layer_size(layer++);
      out.push_back(std::move(e));
    }
    return out;
  }
  // No history in the config: one entry per layer, as podman shows such images.
  for (size_t i = 0; i < view.image.layers.size(); ++i) {
    HistoryEntry e;
    e.created = string_or_empty(view.config, "created");
    e.size = layer_size(i);
    out.push_back(std::move(e));
  }
  return out;
}

TemplateData inspect_image(const Store& store, const ImageView& v) {
  const json& c = v.config;
  const json& rc = v.runtime_config();
  TemplateData j;
  j["Id"] = v.id();
  j["Digest"] = v.image.manifest.str();
  j["RepoTags"] = v.tags;
  j["RepoDigests"] = v.digests;
  j["Parent"] = "";
  std::string comment = string_or_empty(c, "comment");
  if (comment.empty()) {
    auto h = c.find("history");
    if (h != c.end() && h->is_array() && !h->empty() && (*h)[0].is_object())
      comment = string_or_empty((*h)[0], "comment");
  }
  j["Comment"] = comment;
  j["Created"] = string_or_empty(c, "created");
  j["Config"] = rc;
  j["Version"] = string_or_empty(c, "docker_version");
  j["Author"] = string_or_empty(c, "author");
  j["Architecture"] = string_or_empty(c, "architecture");
  j["Os"] = string_or_empty(c, "os");
  if (std::string variant = string_or_empty(c, "variant"); !variant.empty()) j["Variant"] = variant;
  j["Size"] = v.image.unpacked_size;
  j["VirtualSize"] = v.image.unpacked_size;
  std::string lower;
  for (auto l = v.image.layers.rbegin(); l != v.image.layers.rend(); ++l)
    lower += (lower.empty() ? "" : ":") + store.layer_dir(l->diff_id);
  j["GraphDriver"] = {{"Name", "overlay"}, {"Data", {{"LowerDir", lower}}}};
  TemplateData layers = TemplateData::array();
  for (const auto& l : v.image.layers) layers.push_back(l.diff_id.str());
  j["RootFS"] = {{"Type", "layers"}, {"Layers", layers}};
  j["Labels"] = object_or_empty(rc, "Labels");
  TemplateData annotations = TemplateData::object();
  std::string manifest_text;
  if (read_file_if_exists(store.blob_path(v.image.manifest), manifest_text)) {
    try {
      json m = json::parse(manifest_text);
      if (m.is_object()) annotations = object_or_empty(m, "annotations");
    } catch (const json::exception&) {
    }
  }
  j["Annotations"] = annotations;
  j["ManifestType"] = v.image.media_type;
  j["User"] = string_or_empty(rc, "User");
  auto hist = c.find("history");
  j["History"] = hist != c.end() && hist->is_array() ? *hist : TemplateData::array();
  j["NamesHistory"] = v.image.names_history.empty() ? v.names : v.image.names_history;
  return j;
}

TemplateData inspect_image_template_view(TemplateData j) {
  TemplateData& cfg = j["Config"];
  if (!cfg.is_object()) cfg = TemplateData::object();
  const std::pair<const char*, TemplateData> defaults[] = {
      {"User", ""},
      {"ExposedPorts", TemplateData::object()},
      {"Env", TemplateData::array()},
      {"Entrypoint", TemplateData::array()},
      {"Cmd", TemplateData::array()},
      {"Volumes", TemplateData::object()},
      {"WorkingDir", ""},
      {"Labels", TemplateData::object()},
      {"StopSignal", ""}};
  for (const auto& [key, value] : defaults)
    if (!cfg.contains(key) || cfg[key].is_null()) cfg[key] = value;
  return j;
}

bool labels_match(const TemplateData& labels, const std::string& filter) {
  size_t eq = filter.find('=');
  std::string key = filter.substr(0, eq);
  auto it = labels.find(key);
  if (!labels.is_object() || it == labels.end()) return false;
  if (eq == std::string::npos) return true;
  return it->is_string() && it->get<std::string>() == filter.substr(eq + 1);
}

}  // namespace dabba::cli
