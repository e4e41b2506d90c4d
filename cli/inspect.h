// `inspect` and `image inspect`: the objects a name can stand for, as a small table. podman's
// `inspect NAME` tries a container first, then an image (--type all); `--type image|container`
// picks one. Containers plug in here (issue 11) with a row of their own.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cli/go_template.h"
#include "store/store.h"

namespace dabba::cli {

struct InspectKind {
  std::string type;  // "container", "image"
  // The object's JSON for what the user typed; nullopt when there is no such object of this type.
  std::function<std::optional<TemplateData>(const Store&, const std::string&)> find;
  // The JSON as templates see it (times as Go prints them, struct fields all present); the JSON
  // itself when empty.
  std::function<TemplateData(const TemplateData&)> template_view;
  // What podman says when --type names this kind and it is not found: "X: image not known".
  std::string not_found_suffix;
};

// The kinds in the order `--type all` tries them.
const std::vector<InspectKind>& inspect_kinds();
InspectKind image_inspect_kind();

// Prints the objects (JSON array, or format per object) and returns the exit code: 0, or 125 when
// one was not found (after printing the others, as podman does).
int run_inspect(const Store& store, const std::vector<std::string>& names, const std::string& type,
                const std::string& format);

}  // namespace dabba::cli
