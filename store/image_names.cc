#include "store/image_names.h"

#include "common/error.h"

namespace dabba {
namespace {
constexpr std::string_view kDanglingPrefix = "<none>@";
}  // namespace

std::string tag_name(const ImageRef& ref) {
  return ref.tag().empty() ? std::string() : ref.name() + ":" + ref.tag();
}

std::string digest_name(const ImageRef& ref, const Digest& digest) {
  return ref.name() + "@" + digest.str();
}

std::string dangling_name(const Digest& manifest) {
  return std::string(kDanglingPrefix) + manifest.str();
}

bool is_dangling_name(std::string_view name) { return name.substr(0, 7) == kDanglingPrefix; }

NameParts split_name(std::string_view name) {
  NameParts out;
  if (is_dangling_name(name)) {
    out.digest = std::string(name.substr(kDanglingPrefix.size()));
    return out;
  }
  if (auto at = name.find('@'); at != std::string_view::npos) {
    out.repository = std::string(name.substr(0, at));
    out.digest = std::string(name.substr(at + 1));
    return out;
  }
  // The tag follows the last ':' after the last '/' (a registry may have a port).
  size_t slash = name.rfind('/');
  size_t colon = name.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    out.repository = std::string(name.substr(0, colon));
    out.tag = std::string(name.substr(colon + 1));
  } else {
    out.repository = std::string(name);
  }
  return out;
}

ImageRecord add_named_image(Store& store, const ImageRecord& image,
                            const std::vector<std::string>& names, Store::NamePlace place) {
  ImageRecord rec = store.add_image(image, names, place);
  std::string dangling = dangling_name(rec.manifest);
  bool named = false;
  for (const auto& n : names) named = named || !is_dangling_name(n);
  if (named && store.lookup_name(dangling)) {
    try {
      store.remove_name(dangling, true);
    } catch (const Error& e) {
      if (e.code() != Errc::kNotFound) throw;  // a concurrent load/pull dropped it first
    }
  }
  return rec;
}

bool names_registry(std::string_view text) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return false;
  std::string_view first = text.substr(0, slash);
  return first == "localhost" || first.find_first_of(".:") != std::string_view::npos;
}

std::string local_image_name(std::string_view text) {
  std::string full = names_registry(text) ? std::string(text) : "localhost/" + std::string(text);
  ImageRef ref = ImageRef::parse(full);
  if (ref.has_digest())
    throw Error(Errc::kInvalidArgument, "'" + std::string(text) + "' names a digest", 0,
                "a new name is repository[:tag]");
  return tag_name(ref);
}

std::optional<std::string> find_name(const Store& store, std::string_view text) {
  // As pull normalises it (docker.io/library/x), then as podman names local images
  // (localhost/x) when the text names no registry.
  std::vector<std::string> candidates = {std::string(text)};
  if (!names_registry(text)) candidates.push_back("localhost/" + std::string(text));
  for (const std::string& c : candidates) {
    try {
      ImageRef ref = ImageRef::parse(c);
      std::string name = ref.has_digest() ? digest_name(ref, ref.digest()) : tag_name(ref);
      if (store.lookup_name(name)) return name;
    } catch (const Error& e) {
      if (e.code() != Errc::kInvalidArgument) throw;
    }
  }
  std::string exact(text);
  if (store.lookup_name(exact)) return exact;
  return std::nullopt;
}

std::optional<ImageRecord> find_image(const Store& store, std::string_view text) {
  if (auto name = find_name(store, text))
    if (auto m = store.lookup_name(*name))
      if (auto img = store.image(*m)) return img;
  try {
    return store.resolve_image(text);
  } catch (const Error& e) {
    if (e.code() == Errc::kNotFound) return std::nullopt;
    throw;
  }
}

namespace {
bool is_tag(const std::string& name) {
  NameParts p = split_name(name);
  return !p.repository.empty() && p.digest.empty();
}
}  // namespace

Removal plan_removal(const Store& store, std::string_view text, bool force) {
  Removal out;
  std::optional<std::string> name = find_name(store, text);
  std::vector<std::string> all;
  if (name) {
    auto m = store.lookup_name(*name);
    auto img = m ? store.image(*m) : std::nullopt;
    if (!img) throw Error(Errc::kNotFound, "no image named '" + std::string(text) + "'");
    out.image = *img;
    all = store.names_of(out.image.manifest);
    out.names.push_back(*name);
    if (is_tag(*name)) {
      const std::string repo = split_name(*name).repository;
      bool repo_tagged = false, any_tag = false;
      for (const auto& n : all) {
        if (n == *name || !is_tag(n)) continue;
        any_tag = true;
        repo_tagged = repo_tagged || split_name(n).repository == repo;
      }
      for (const auto& n : all) {
        if (n == *name) continue;
        if (!any_tag || (!repo_tagged && !is_tag(n) && split_name(n).repository == repo))
          out.names.push_back(n);
      }
    }
  } else {
    out.image = store.resolve_image(text);  // throws kNotFound
    all = store.names_of(out.image.manifest);
    size_t tags = 0;
    for (const auto& n : all) tags += is_tag(n);
    if (tags > 1 && !force)
      throw Error(Errc::kConflict,
                  "image " + out.image.short_id() + " has " + std::to_string(tags) + " tags", 0,
                  "remove them by name, or force it (-f) to remove every one");
    out.names = all;
  }
  out.all_names = out.names.size() == all.size();
  if (out.all_names && out.image.container_refs > 0 && !force)
    throw Error(Errc::kConflict,
                "image " + out.image.short_id() + " is used by " +
                    std::to_string(out.image.container_refs) + " container(s)",
                0, "remove the containers first (dabba rm), or force it (-f)");
  return out;
}

}  // namespace dabba
