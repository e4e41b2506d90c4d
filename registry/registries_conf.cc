#include "registry/registries_conf.h"

#include <algorithm>
#include <cstdlib>
#include <set>

// toml++ is header-only here, compiled in this one file (no library to load at start-up).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
#include <toml++/toml.h>
#pragma GCC diagnostic pop

#include "common/conf_dir.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/idmap.h"
#include "common/toml_guard.h"
#include "common/user_dirs.h"
#include "oci/image_ref.h"

namespace dabba {
namespace {

[[noreturn]] void bad(const std::string& origin, const std::string& why) {
  throw Error(Errc::kCorrupt, "registries configuration " + origin + ": " + why, 0,
              "fix the file (see containers-registries.conf(5))");
}

std::string trim_slashes(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

// A prefix or location: trailing slashes dropped, no URL scheme.
std::string check_location(const std::string& value, const std::string& origin,
                           const char* what) {
  std::string out = trim_slashes(value);
  if (out.rfind("http://", 0) == 0 || out.rfind("https://", 0) == 0)
    bad(origin, std::string("invalid ") + what + " '" + value + "': URI schemes are not supported");
  return out;
}

bool is_wildcard(std::string_view prefix) { return prefix.substr(0, 2) == "*."; }

// The first path component of a name is a registry when it looks like a host (as
// containers/image decides for short names): it contains '.' or ':', or is localhost.
bool has_domain(std::string_view name) {
  size_t slash = name.find('/');
  if (slash == std::string_view::npos) return false;
  std::string_view first = name.substr(0, slash);
  return first == "localhost" || first.find_first_of(".:") != std::string_view::npos;
}

bool has_tag_or_digest(std::string_view name) {
  if (name.find('@') != std::string_view::npos) return true;
  size_t slash = name.rfind('/');
  return name.find(':', slash == std::string_view::npos ? 0 : slash) != std::string_view::npos;
}

const toml::node* child(const toml::table& t, std::string_view key) { return t.get(key); }

std::optional<std::string> get_string(const toml::table& t, std::string_view key,
                                      const std::string& origin, const std::string& where) {
  const toml::node* n = child(t, key);
  if (n == nullptr) return std::nullopt;
  if (!n->is_string()) bad(origin, where + std::string(key) + " must be a string");
  return n->value<std::string>();
}

bool get_bool(const toml::table& t, std::string_view key, const std::string& origin,
              const std::string& where) {
  const toml::node* n = child(t, key);
  if (n == nullptr) return false;
  if (!n->is_boolean()) bad(origin, where + std::string(key) + " must be true or false");
  return *n->value<bool>();
}

std::optional<std::vector<std::string>> get_strings(const toml::table& t, std::string_view key,
                                                    const std::string& origin) {
  const toml::node* n = child(t, key);
  if (n == nullptr) return std::nullopt;
  const toml::array* a = n->as_array();
  std::vector<std::string> out;
  if (a != nullptr)
    for (const toml::node& e : *a)
      if (e.is_string()) out.push_back(*e.value<std::string>());
  if (a == nullptr || out.size() != a->size())
    bad(origin, std::string(key) + " must be an array of strings");
  return out;
}

PullFromMirror parse_pull_from_mirror(const std::string& v, const std::string& origin) {
  if (v.empty() || v == "all") return PullFromMirror::kAll;
  if (v == "digest-only") return PullFromMirror::kDigestOnly;
  if (v == "tag-only") return PullFromMirror::kTagOnly;
  bad(origin, "unsupported pull-from-mirror value \"" + v + "\" (all, digest-only or tag-only)");
}

RegistryConf parse_registry(const toml::table& t, const std::string& origin) {
  RegistryConf r;
  r.origin = origin;
  const std::string where = "[[registry]] ";
  r.location = check_location(get_string(t, "location", origin, where).value_or(""), origin,
                              "location");
  std::string prefix = get_string(t, "prefix", origin, where).value_or("");
  r.prefix = prefix.empty() ? r.location : check_location(prefix, origin, "prefix");
  if (r.prefix.empty()) bad(origin, "a [[registry]] needs a location or a prefix");
  if (is_wildcard(r.prefix)) {
    std::string_view rest = std::string_view(r.prefix).substr(2);
    if (rest.empty() || rest.find_first_of("/*@") != std::string_view::npos)
      bad(origin, "invalid prefix '" + r.prefix + "': a wildcard must be *.domain only");
  } else if (r.location.empty()) {
    bad(origin, "invalid location: cannot be empty (prefix '" + r.prefix + "')");
  }
  r.insecure = get_bool(t, "insecure", origin, where);
  r.blocked = get_bool(t, "blocked", origin, where);
  r.mirror_by_digest_only = get_bool(t, "mirror-by-digest-only", origin, where);
  if (const toml::node* m = child(t, "mirror")) {
    const toml::array* mirrors = m->as_array();
    if (mirrors == nullptr) bad(origin, "[[registry.mirror]] must be an array of tables");
    for (const toml::node& e : *mirrors) {
      const toml::table* mt = e.as_table();
      if (mt == nullptr) bad(origin, "[[registry.mirror]] must be an array of tables");
      MirrorConf mc;
      const std::string mwhere = "[[registry.mirror]] of '" + r.prefix + "': ";
      mc.location = check_location(get_string(*mt, "location", origin, mwhere).value_or(""),
                                   origin, "mirror location");
      if (mc.location.empty()) bad(origin, mwhere + "invalid location: cannot be empty");
      mc.insecure = get_bool(*mt, "insecure", origin, mwhere);
      mc.pull_from_mirror = parse_pull_from_mirror(
          get_string(*mt, "pull-from-mirror", origin, mwhere).value_or(""), origin);
      if (mc.pull_from_mirror != PullFromMirror::kAll && r.mirror_by_digest_only)
        bad(origin, "[[registry]] '" + r.prefix +
                        "': pull-from-mirror cannot be set together with mirror-by-digest-only");
      r.mirrors.push_back(std::move(mc));
    }
  }
  return r;
}

// Version 1: [registries.search] / [registries.insecure] / [registries.block] registries = [...].
bool parse_v1(const toml::table& root, const std::string& origin, std::vector<RegistryConf>& regs,
              std::optional<std::vector<std::string>>& search) {
  const toml::node* n = root.get("registries");
  if (n == nullptr) return false;
  const toml::table* v1 = n->as_table();
  if (v1 == nullptr) bad(origin, "[registries] must be a table (version 1 format)");
  std::map<std::string, RegistryConf> by_location;
  std::vector<std::string> order;
  auto list = [&](std::string_view section) -> std::vector<std::string> {
    const toml::node* s = v1->get(section);
    if (s == nullptr) return {};
    const toml::table* st = s->as_table();
    if (st == nullptr) bad(origin, "[registries." + std::string(section) + "] must be a table");
    return get_strings(*st, "registries", origin).value_or(std::vector<std::string>{});
  };
  auto entry = [&](const std::string& loc) -> RegistryConf& {
    std::string location = check_location(loc, origin, "location");
    auto [it, fresh] = by_location.try_emplace(location);
    if (fresh) {
      it->second.prefix = it->second.location = location;
      it->second.origin = origin;
      order.push_back(location);
    }
    return it->second;
  };
  std::vector<std::string> s = list("search");
  for (const auto& loc : list("block")) entry(loc).blocked = true;
  for (const auto& loc : list("insecure")) entry(loc).insecure = true;
  for (const auto& loc : order) regs.push_back(by_location[loc]);
  if (!s.empty()) search = s;
  return !s.empty() || !order.empty();
}

void check_search_entry(const std::string& entry, const std::string& origin) {
  // host[:port] only: no path, tag or digest.
  bool ok = !entry.empty() && entry.find_first_of("/@ ") == std::string::npos;
  if (ok) {
    try {
      ImageRef::parse(entry + "/x");
    } catch (const Error&) {
      ok = false;
    }
  }
  if (!ok) bad(origin, "invalid unqualified-search-registries entry \"" + entry + "\"");
}

void merge_aliases(std::map<std::string, ShortNameAlias, std::less<>>& into,
                   const toml::table& root, const std::string& origin) {
  const toml::node* n = root.get("aliases");
  if (n == nullptr) return;
  const toml::table* t = n->as_table();
  if (t == nullptr) bad(origin, "[aliases] must be a table");
  for (auto&& [key, value] : *t) {
    std::string name(key.str());
    if (!value.is_string()) bad(origin, "alias \"" + name + "\" must be a string");
    std::string v = *value.value<std::string>();
    if (has_domain(name) || name.empty())
      bad(origin, "alias \"" + name + "\": the name must be a short name (no registry)");
    if (has_tag_or_digest(name))
      bad(origin, "alias \"" + name + "\": the name must not contain a tag or digest");
    if (v.empty()) {  // erases an alias of an earlier file
      into.erase(name);
      continue;
    }
    if (!has_domain(v))
      bad(origin, "alias \"" + name + "\" = \"" + v + "\": the value must be fully qualified");
    if (has_tag_or_digest(v))
      bad(origin, "alias \"" + name + "\" = \"" + v + "\": the value must not contain a tag or digest");
    std::string normalized;
    try {
      normalized = ImageRef::parse(v).name();
    } catch (const Error& e) {
      bad(origin, "alias \"" + name + "\": " + e.what());
    }
    into[name] = {normalized, origin};
  }
}

toml::table parse_toml(std::string_view text, const std::string& origin) {
  const AsciiToml ascii = ascii_toml(text);
  if (ascii.refused)
    bad(origin, "not valid TOML (line " + std::to_string(ascii.refused->line) + ", column " +
                    std::to_string(ascii.refused->column) + "): " + ascii.why);
  try {
    return toml::parse(ascii.text, origin);
  } catch (const toml::parse_error& e) {
    bad(origin, "not valid TOML (line " + std::to_string(e.source().begin.line) + ", column " +
                    std::to_string(e.source().begin.column) + "): " +
                    std::string(e.description()));
  }
}

}  // namespace

bool registry_prefix_matches(std::string_view name, std::string_view prefix) {
  if (is_wildcard(prefix)) {
    // "*.example.com" matches "a.example.com/..." and "a.b.example.com:5000/...".
    std::string_view host = name.substr(0, name.find('/'));
    host = host.substr(0, host.find(':'));
    std::string_view domain = prefix.substr(1);  // ".example.com"
    return host.size() > domain.size() &&
           host.compare(host.size() - domain.size(), domain.size(), domain) == 0;
  }
  if (name.size() < prefix.size() || name.compare(0, prefix.size(), prefix) != 0) return false;
  if (name.size() == prefix.size()) return true;
  char c = name[prefix.size()];
  return c == ':' || c == '/' || c == '@';
}

RegistriesConf::Paths RegistriesConf::default_paths() {
  Paths p;
  const std::string home = user_home_dir();
  const std::string user_main = home + "/.config/containers/registries.conf";
  const std::string user_dir = home + "/.config/containers/registries.conf.d";
  if (const char* env = std::getenv("CONTAINERS_REGISTRIES_CONF"); env != nullptr && *env) {
    p.main = env;
    p.main_explicit = true;
    p.dropin_dirs = {"/etc/containers/registries.conf.d", user_dir};
  } else if (path_exists(user_main)) {
    p.main = user_main;
    p.dropin_dirs = {user_dir};
  } else {
    p.main = "/etc/containers/registries.conf";
    p.dropin_dirs = {"/etc/containers/registries.conf.d", user_dir};
  }
  p.aliases_cache = host_identity().is_root() ? "/var/cache/containers/short-name-aliases.conf"
                                     : user_cache_dir() + "/containers/short-name-aliases.conf";
  return p;
}

RegistriesConf RegistriesConf::load(const Paths& paths) {
  RegistriesConf conf;
  conf.main_path_ = paths.main;
  std::string text;
  if (read_file_if_exists(paths.main, text)) {
    conf.merge(text, paths.main);
  } else if (paths.main_explicit) {
    throw Error(Errc::kNotFound,
                "registries configuration " + paths.main + " (CONTAINERS_REGISTRIES_CONF) does "
                "not exist",
                0, "create it, or unset CONTAINERS_REGISTRIES_CONF");
  }
  for (const std::string& dir : paths.dropin_dirs)
    for (const std::string& file : conf_files_in(dir)) {
      std::string dropin;
      if (read_file_if_exists(file, dropin)) conf.merge(dropin, file, true);
    }
  std::string cache;
  if (!paths.aliases_cache.empty() && read_file_if_exists(paths.aliases_cache, cache))
    conf.merge_alias_cache(cache, paths.aliases_cache);
  return conf;
}

void RegistriesConf::merge(std::string_view toml_text, const std::string& origin, bool dropin) {
  toml::table root = parse_toml(toml_text, origin);
  std::vector<RegistryConf> regs;
  std::optional<std::vector<std::string>> search;
  bool v1 = parse_v1(root, origin, regs, search);
  const toml::node* v2regs = root.get("registry");
  if (v1) {
    if (dropin) bad(origin, "drop-in files must use the version 2 format");
    if (v2regs != nullptr || root.get("unqualified-search-registries") != nullptr)
      bad(origin, "mixing sysregistry v1/v2 is not supported");
  }
  if (v2regs != nullptr) {
    const toml::array* a = v2regs->as_array();
    if (a == nullptr) bad(origin, "[[registry]] must be an array of tables");
    for (const toml::node& e : *a) {
      const toml::table* t = e.as_table();
      if (t == nullptr) bad(origin, "[[registry]] must be an array of tables");
      regs.push_back(parse_registry(*t, origin));
    }
  }
  if (!v1) search = get_strings(root, "unqualified-search-registries", origin);
  if (search) {
    for (std::string& s : *search) {
      s = check_location(s, origin, "unqualified-search-registries entry");
      check_search_entry(s, origin);
    }
  }
  // The same location twice in one file must agree on insecure and blocked.
  for (size_t i = 0; i < regs.size(); ++i)
    for (size_t j = i + 1; j < regs.size(); ++j) {
      if (regs[i].location.empty() || regs[i].location != regs[j].location) continue;
      if (regs[i].insecure != regs[j].insecure)
        bad(origin, "registry '" + regs[i].location +
                        "' is defined multiple times with conflicting 'insecure' setting");
      if (regs[i].blocked != regs[j].blocked)
        bad(origin, "registry '" + regs[i].location +
                        "' is defined multiple times with conflicting 'blocked' setting");
    }
  std::string mode_text;
  if (auto m = get_string(root, "short-name-mode", origin, "")) mode_text = *m;
  ShortNameMode mode = mode_;
  if (!mode_text.empty()) {
    if (mode_text == "permissive") mode = ShortNameMode::kPermissive;
    else if (mode_text == "enforcing") mode = ShortNameMode::kEnforcing;
    else if (mode_text == "disabled") mode = ShortNameMode::kDisabled;
    else bad(origin, "invalid short-name mode \"" + mode_text + "\" (enforcing, permissive or disabled)");
  }
  auto aliases = aliases_;
  merge_aliases(aliases, root, origin);

  // Everything checked: apply.
  for (RegistryConf& r : regs) {
    auto same = std::find_if(registries_.begin(), registries_.end(),
                             [&](const RegistryConf& have) { return have.prefix == r.prefix; });
    if (same != registries_.end()) *same = std::move(r);
    else registries_.push_back(std::move(r));
  }
  if (search) {
    search_ = std::move(*search);
    search_origin_ = origin;
  }
  mode_ = mode;
  aliases_ = std::move(aliases);
  files_.push_back(origin);
}

void RegistriesConf::merge_alias_cache(std::string_view toml_text, const std::string& origin) {
  toml::table root = parse_toml(toml_text, origin);
  merge_aliases(aliases_, root, origin);
  files_.push_back(origin);
}

const RegistryConf* RegistriesConf::find(std::string_view name) const {
  const RegistryConf* best = nullptr;
  size_t best_len = 0;
  for (const RegistryConf& r : registries_) {
    if (!registry_prefix_matches(name, r.prefix)) continue;
    // A wildcard counts by its length too, so a longer explicit prefix wins.
    if (best == nullptr || r.prefix.size() > best_len) {
      best = &r;
      best_len = r.prefix.size();
    }
  }
  return best;
}

std::optional<ShortNameAlias> RegistriesConf::alias(std::string_view short_name) const {
  auto it = aliases_.find(short_name);
  if (it == aliases_.end()) return std::nullopt;
  return it->second;
}

}  // namespace dabba
