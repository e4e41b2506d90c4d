// What the image verbs show of an image, in podman's shapes: the `image inspect` object, the
// names split into tags and digests, the config as stored. Shared by images, inspect, history,
// tag/untag, rmi and prune.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/go_template.h"
#include "store/records.h"
#include "store/store.h"

namespace dabba::cli {

struct ImageView {
  ImageRecord image;
  std::vector<std::string> names;    // every stored name but the dangling one, sorted
  std::vector<std::string> tags;     // registry/repo:tag
  std::vector<std::string> digests;  // registry/repo@sha256:..., one per repository at least
  TemplateData config;               // the config blob, in its order (an empty object if unreadable)
  bool dangling() const { return tags.empty(); }
  std::string id() const { return image.config.hex(); }  // podman's Id: 64 hex
  const TemplateData& runtime_config() const;  // config["config"], or an empty object
};

ImageView view_image(const Store& store, const ImageEntry& entry);
ImageView view_image(const Store& store, const ImageRecord& image);
// Every image of the store, newest first.
std::vector<ImageView> view_images(const Store& store);

// The image `text` names (a name as pull normalises it or as podman names local images, an id,
// an id prefix, a digest); throws Error{kNotFound} "TEXT: image not known" as podman says it.
ImageRecord find_image_or_throw(const Store& store, const std::string& text);

// podman's `image inspect` object (Id, Digest, RepoTags, RepoDigests, Created, Config, RootFS,
// History, NamesHistory, ...), in podman's key order.
TemplateData inspect_image(const Store& store, const ImageView& view);
// The same for templates: the config's fields all present (podman's structs always have them:
// {{.Config.Volumes}} is "map[]", never an error).
TemplateData inspect_image_template_view(TemplateData inspect);

// The image's history as podman's `history` computes it: one entry per config history entry
// (newest last), each with the size of the layer it made (0 for empty_layer entries).
struct HistoryEntry {
  std::string created;  // RFC 3339 as written
  std::string created_by;
  std::string comment;
  std::string author;
  bool empty_layer = false;
  uint64_t size = 0;
};
std::vector<HistoryEntry> image_history(const Store& store, const ImageView& view);

// A label filter "key" or "key=value" against labels.
bool labels_match(const TemplateData& labels, const std::string& filter);

}  // namespace dabba::cli
