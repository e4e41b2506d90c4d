#include "cli/containers_conf.h"

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

// toml++ is header-only, compiled here for containers.conf (and in registry/ for
// registries.conf): no library to load at start-up.
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

namespace dabba::cli {
namespace {

constexpr const char* kHint = "fix the file (see containers.conf(5))";

[[noreturn]] void bad(const std::string& origin, const std::string& why) {
  throw Error(Errc::kInvalidArgument, "decoding configuration " + origin + ": " + why, 0, kHint);
}

[[noreturn]] void bad_type(const std::string& origin, const toml::node& n, const char* key,
                           const char* want) {
  bad(origin,
      "line " + std::to_string(n.source().begin.line) + ": containers." + key + " must be " + want);
}

// What a field's type wants, in the words of the error for a value of another type.
template <class T>
constexpr const char* kWant = nullptr;
template <>
constexpr const char* kWant<bool> = "true or false";
template <>
constexpr const char* kWant<std::string> = "a string";
template <>
constexpr const char* kWant<int64_t> = "a whole number";

// containers.KEY into its field, when the file sets it; a value of another type is an error.
template <class T>
void read(const toml::table& t, const char* key, const std::string& origin,
          std::optional<T>& into) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return;
  std::optional<T> value = n->value_exact<T>();
  if (!value) bad_type(origin, *n, key, kWant<T>);
  into = std::move(value);
}

void read(const toml::table& t, const char* key, const std::string& origin,
          std::optional<std::vector<std::string>>& into) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return;
  const toml::array* a = n->as_array();
  if (a == nullptr) bad_type(origin, *n, key, "an array of strings");
  std::vector<std::string> out;
  for (const toml::node& e : *a) {
    if (!e.is_string()) bad_type(origin, e, key, "an array of strings");
    out.push_back(e.as_string()->get());
  }
  into = std::move(out);
}

}  // namespace

void ContainersConf::merge(std::string_view text, const std::string& origin) {
  toml::table root;
  const AsciiToml ascii = ascii_toml(text);
  if (ascii.refused)
    bad(origin, "line " + std::to_string(ascii.refused->line) + ", column " +
                    std::to_string(ascii.refused->column) + ": " + ascii.why);
  try {
    root = toml::parse(ascii.text, origin);
  } catch (const toml::parse_error& e) {
    bad(origin, "line " + std::to_string(e.source().begin.line) + ", column " +
                    std::to_string(e.source().begin.column) + ": " + std::string(e.description()));
  }
  files.push_back(origin);
  if (const toml::node* n = root.get("network"); n != nullptr) {
    const toml::table* t = n->as_table();
    if (t == nullptr)
      bad(origin, "line " + std::to_string(n->source().begin.line) + ": network must be a table");
    read(*t, "default_rootless_network_cmd", origin, default_rootless_network_cmd);
  }
  const toml::node* c = root.get("containers");
  if (c == nullptr) return;
  const toml::table* t = c->as_table();
  if (t == nullptr)
    bad(origin, "line " + std::to_string(c->source().begin.line) + ": containers must be a table");
  read(*t, "env", origin, env);
  read(*t, "env_host", origin, env_host);
  read(*t, "http_proxy", origin, http_proxy);
  read(*t, "default_capabilities", origin, default_capabilities);
  read(*t, "dns_servers", origin, dns_servers);
  read(*t, "dns_searches", origin, dns_searches);
  read(*t, "dns_options", origin, dns_options);
  read(*t, "tz", origin, tz);
  read(*t, "pids_limit", origin, pids_limit);
  read(*t, "shm_size", origin, shm_size);
  read(*t, "init", origin, init);
  read(*t, "log_driver", origin, log_driver);
  read(*t, "default_ulimits", origin, default_ulimits);
  read(*t, "default_sysctls", origin, default_sysctls);
  read(*t, "devices", origin, devices);
  read(*t, "userns", origin, userns);
  read(*t, "base_hosts_file", origin, base_hosts_file);
  read(*t, "host_containers_internal_ip", origin, host_containers_internal_ip);
}

std::vector<std::string> ContainersConf::default_files() {
  if (const char* path = std::getenv("CONTAINERS_CONF"); path != nullptr && *path) {
    if (!is_regular_file(path))
      throw Error(Errc::kNotFound,
                  std::string("CONTAINERS_CONF names ") + path + ", which is not a file", 0,
                  "create it, or unset CONTAINERS_CONF");
    return {path};
  }
  std::vector<std::string> out;
  auto add_file = [&out](const std::string& path) {
    if (is_regular_file(path)) out.push_back(path);
  };
  auto add_dir = [&out](const std::string& dir) {
    for (std::string& f : conf_files_in(dir)) out.push_back(std::move(f));
  };
  add_file("/usr/share/containers/containers.conf");
  add_file("/etc/containers/containers.conf");
  add_dir("/etc/containers/containers.conf.d");
  if (!host_identity().is_root()) {
    const std::string user = user_config_dir() + "/containers/containers.conf";
    add_file(user);
    add_dir(user + ".d");
  }
  return out;
}

ContainersConf ContainersConf::load(const std::vector<std::string>& paths) {
  ContainersConf conf;
  for (const std::string& path : paths) {
    std::string text;
    try {
      if (!read_file_if_exists(path, text)) continue;
    } catch (Error& e) {
      e.set_hint(kHint);
      throw;
    }
    conf.merge(text, path);
  }
  return conf;
}

ContainersConf ContainersConf::load() { return load(default_files()); }

}  // namespace dabba::cli
