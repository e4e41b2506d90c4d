// containers.conf(5): the container engine defaults podman, buildah and skopeo users already
// have, read from where podman 4.3 reads them, for the settings that apply to dabba. Parsed once
// per `run` (not for other verbs); apply_containers_conf (run_options.h) turns the settings into
// run's defaults, so a flag always wins.
//
// Files, in order, a later one overriding the keys it sets (containers/common's order):
//   /usr/share/containers/containers.conf, /etc/containers/containers.conf,
//   /etc/containers/containers.conf.d/*.conf (lexical order), and when not real root
//   $XDG_CONFIG_HOME/containers/containers.conf (default ~/.config) and its containers.conf.d.
//   CONTAINERS_CONF=PATH: that file alone.
// Unknown tables and keys are ignored, as podman ignores them; a file that is not TOML, or a key
// of the wrong type, is an error naming the file and line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dabba::cli {

struct ContainersConf {
  // The files read, in order (for `info` and errors).
  std::vector<std::string> files;
  // [containers]: each set only when some file sets it.
  std::optional<std::vector<std::string>> env;                   // env
  std::optional<bool> env_host;                                  // env_host
  std::optional<bool> http_proxy;                                // http_proxy
  std::optional<std::vector<std::string>> default_capabilities;  // default_capabilities
  std::optional<std::vector<std::string>> dns_servers;           // dns_servers
  std::optional<std::vector<std::string>> dns_searches;          // dns_searches
  std::optional<std::vector<std::string>> dns_options;           // dns_options
  std::optional<std::string> tz;                                 // tz
  std::optional<int64_t> pids_limit;                             // pids_limit
  std::optional<std::string> shm_size;                           // shm_size
  std::optional<bool> init;                                      // init
  std::optional<std::string> log_driver;                         // log_driver
  std::optional<std::vector<std::string>> default_ulimits;       // default_ulimits
  std::optional<std::vector<std::string>> default_sysctls;       // default_sysctls
  std::optional<std::vector<std::string>> devices;               // devices
  std::optional<std::string> userns;                             // userns (as --userns)
  std::optional<std::string> base_hosts_file;                    // base_hosts_file
  std::optional<std::string> host_containers_internal_ip;        // host_containers_internal_ip
  // [network]
  std::optional<std::string> default_rootless_network_cmd;  // "slirp4netns" | "pasta"

  // The files podman would read now, in order; those that do not exist are left out.
  // CONTAINERS_CONF names one file, which must exist.
  static std::vector<std::string> default_files();
  // default_files(), read and merged.
  static ContainersConf load();
  static ContainersConf load(const std::vector<std::string>& files);
  // One file's text over what is there. origin names it in errors. Throws Error{kInvalidArgument}.
  void merge(std::string_view toml_text, const std::string& origin);
};

}  // namespace dabba::cli
