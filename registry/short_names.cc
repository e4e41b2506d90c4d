#include "registry/short_names.h"

#include "common/error.h"

namespace dabba {
namespace {

// "library/fedora:38@sha256:..." -> ("library/fedora", ":38@sha256:..."): the repository part
// (what aliases are keyed by) and what follows it.
std::pair<std::string, std::string> split_suffix(std::string_view text) {
  size_t end = text.find('@');
  std::string_view name = text.substr(0, end);
  size_t slash = name.rfind('/');
  size_t colon = name.find(':', slash == std::string_view::npos ? 0 : slash);
  size_t cut = colon != std::string_view::npos ? colon : name.size();
  return {std::string(text.substr(0, cut)), std::string(text.substr(cut))};
}

}  // namespace

bool is_short_name(std::string_view text) {
  std::string_view name = text.substr(0, text.find('@'));
  size_t slash = name.find('/');
  if (slash == std::string_view::npos) return true;
  std::string_view first = name.substr(0, slash);
  return !(first == "localhost" || first.find_first_of(".:") != std::string_view::npos);
}

ShortNameResolution resolve_pull_name(std::string_view text, const RegistriesConf& conf) {
  ShortNameResolution out;
  if (!is_short_name(text)) {
    out.candidates.push_back(ImageRef::parse(text));
    return out;
  }
  ImageRef::parse(text);  // a bad short name fails here, with the reference's own message
  auto [repo, suffix] = split_suffix(text);
  if (auto alias = conf.alias(repo)) {
    out.candidates.push_back(ImageRef::parse(alias->value + suffix));
    out.description = "Resolved \"" + repo + "\" as an alias (" + alias->origin + ")";
    return out;
  }
  // Without any containers-registries.conf(5) at all (no podman on the machine), Docker Hub, as
  // Docker resolves short names; podman would refuse (it always ships the file).
  static const std::vector<std::string> kDockerHub = {"docker.io"};
  const auto& search = conf.files().empty() ? kDockerHub : conf.search_registries();
  if (search.empty()) {
    const std::string& origin =
        conf.search_origin().empty() ? conf.main_path() : conf.search_origin();
    throw Error(Errc::kFailed,
                "short-name \"" + std::string(text) +
                    "\" did not resolve to an alias and no unqualified-search registries are "
                    "defined in \"" + origin + "\"",
                0,
                "use a fully qualified name (registry/repository:tag), or set "
                "unqualified-search-registries in ~/.config/containers/registries.conf");
  }
  for (const std::string& reg : search) out.candidates.push_back(ImageRef::parse(reg + "/" + std::string(text)));
  out.description =
      "Resolving \"" + repo + "\" using unqualified-search registries (" +
      (conf.files().empty()          ? std::string("no containers-registries.conf(5): docker.io")
       : conf.search_origin().empty() ? conf.main_path()
                                      : conf.search_origin()) +
      ")";
  if (out.candidates.size() > 1 && conf.short_name_mode() == ShortNameMode::kEnforcing)
    throw Error(Errc::kFailed, "short-name resolution enforced but cannot prompt without a TTY",
                0,
                "use a fully qualified name, add an [aliases] entry for \"" + repo +
                    "\", or set short-name-mode = \"permissive\" in registries.conf (dabba "
                    "never prompts)");
  return out;
}

std::vector<ImageRef> local_name_candidates(std::string_view text, const RegistriesConf& conf) {
  std::vector<ImageRef> out;
  if (!is_short_name(text)) {
    out.push_back(ImageRef::parse(text));
    return out;
  }
  ImageRef docker = ImageRef::parse(text);
  auto [repo, suffix] = split_suffix(text);
  auto add = [&](const std::string& full) {
    ImageRef r = ImageRef::parse(full);
    for (const ImageRef& have : out)
      if (have == r) return;
    out.push_back(std::move(r));
  };
  if (auto alias = conf.alias(repo)) add(alias->value + suffix);
  add("localhost/" + std::string(text));
  for (const std::string& reg : conf.search_registries()) add(reg + "/" + std::string(text));
  add(docker.str());
  return out;
}

}  // namespace dabba
