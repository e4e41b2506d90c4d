// containers-registries.conf(5), version 2 (and the deprecated version 1), as podman, buildah
// and skopeo read it: the main file, then the drop-ins of containers-registries.conf.d(5), then
// the machine-written short-name-aliases.conf. Plain data and lookups; the files are read here,
// nothing else is done with the network or the store.
//
// Which files (containers/image's rules):
//   main:     $CONTAINERS_REGISTRIES_CONF if set; else ~/.config/containers/registries.conf if it
//             exists; else /etc/containers/registries.conf (a missing file is an empty one)
//   drop-ins: *.conf in /etc/containers/registries.conf.d, then in
//             ~/.config/containers/registries.conf.d, each in name order; when the main file is
//             the user's own, only the user's drop-in directory
//   aliases:  $XDG_CACHE_HOME (or ~/.cache)/containers/short-name-aliases.conf; as root
//             /var/cache/containers/short-name-aliases.conf. It wins over the files above.
// Merging: a later file's [[registry]] replaces an earlier one with the same prefix;
// unqualified-search-registries and short-name-mode replace when the later file sets them;
// [aliases] merge, an empty value erasing the alias.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dabba {

enum class ShortNameMode { kPermissive, kEnforcing, kDisabled };
enum class PullFromMirror { kAll, kDigestOnly, kTagOnly };

struct MirrorConf {
  std::string location;  // host[:port][/namespace...]
  bool insecure = false;
  PullFromMirror pull_from_mirror = PullFromMirror::kAll;
};

struct RegistryConf {
  std::string prefix;    // what a name must start with; "*.example.com" matches subdomains
  std::string location;  // where the prefix-rooted namespace lives ("" for a wildcard prefix)
  bool insecure = false;
  bool blocked = false;
  bool mirror_by_digest_only = false;
  std::vector<MirrorConf> mirrors;
  std::string origin;  // the file it came from
};

struct ShortNameAlias {
  std::string value;   // fully qualified, without tag or digest: "docker.io/library/alpine"
  std::string origin;  // the file it came from
};

class RegistriesConf {
 public:
  struct Paths {
    std::string main;
    bool main_explicit = false;  // from CONTAINERS_REGISTRIES_CONF: must exist
    std::vector<std::string> dropin_dirs;
    std::string aliases_cache;
  };
  // The paths podman uses, from the environment (HOME, XDG_CACHE_HOME, the effective uid).
  static Paths default_paths();
  // Reads every file of paths. Throws Error{kCorrupt} naming the file and what is wrong with it.
  static RegistriesConf load(const Paths& paths);
  // Merges one file's text into this configuration (dropin: the file must be version 2).
  void merge(std::string_view toml_text, const std::string& origin, bool dropin = false);
  // Merges the [aliases] of a short-name-aliases.conf (which wins over what came before).
  void merge_alias_cache(std::string_view toml_text, const std::string& origin);

  // The [[registry]] with the longest prefix matching name ("host[:port]/repository"), if any.
  const RegistryConf* find(std::string_view name) const;
  // An alias for a short name without tag or digest ("alpine", "library/fedora"), if any.
  std::optional<ShortNameAlias> alias(std::string_view short_name) const;

  const std::vector<std::string>& search_registries() const { return search_; }
  // The file that set unqualified-search-registries ("" when none did).
  const std::string& search_origin() const { return search_origin_; }
  ShortNameMode short_name_mode() const { return mode_; }
  // The files actually read, in order (for messages).
  const std::vector<std::string>& files() const { return files_; }
  // The main file's path, whether it exists or not (podman's messages name it).
  const std::string& main_path() const { return main_path_; }
  const std::vector<RegistryConf>& registries() const { return registries_; }

 private:
  std::vector<RegistryConf> registries_;
  std::vector<std::string> search_;
  std::string search_origin_;
  ShortNameMode mode_ = ShortNameMode::kPermissive;
  std::map<std::string, ShortNameAlias, std::less<>> aliases_;
  std::vector<std::string> files_;
  std::string main_path_;
};

// True when prefix ("host[:port][/path]" or "*.domain") matches name ("host[:port]/repo"): name
// equals it, or continues it with ':', '/' or '@'; a wildcard matches any subdomain's names.
bool registry_prefix_matches(std::string_view name, std::string_view prefix);

}  // namespace dabba
