// Per-registry settings and the endpoints a registry is reached through.
//
// $XDG_CONFIG_HOME/dabba/registries.json (else ~/.config/dabba/registries.json), optional:
//   {
//     "registries": {
//       "docker.io":        { "mirrors": ["mirror.lan:5000", "cache.lan/dockerhub"] },
//       "registry.lan:5000": { "insecure": true },
//       "mirror.lan:5000":  { "insecure": true }
//     }
//   }
// "mirrors" are host[:port][/path-prefix], tried in order before the registry itself.
// "insecure" allows plain HTTP and skips TLS verification for that host. Loopback registries
// (localhost, 127.0.0.0/8, ::1) may always use plain HTTP, as with Docker; HTTPS is tried first.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace dabba {

struct RegistrySettings {
  bool insecure = false;
  std::vector<std::string> mirrors;
};

// One place to send a registry's API requests to.
struct RegistryEndpoint {
  std::string host;         // host[:port], IPv6 in brackets; "registry-1.docker.io" for docker.io
  std::string path_prefix;  // a mirror's namespace, "" or "a/b" (put before the repository)
  bool allow_http = false;  // plain HTTP allowed (loopback or insecure); HTTPS tried first
  bool tls_verify = true;
  bool mirror = false;
};

class RegistryConfig {
 public:
  static std::string default_path();
  // Reads path; a missing file is an empty config. Throws Error{kCorrupt} naming the problem.
  static RegistryConfig load(const std::string& path);
  static RegistryConfig parse(std::string_view json_text, const std::string& origin);

  RegistrySettings settings_for(std::string_view registry) const;
  // --tls-verify=false for registry (and its mirrors' hosts are unaffected).
  void set_insecure(std::string_view registry);
  // The endpoints for registry ("docker.io", "host:port"): mirrors in order, then the origin.
  std::vector<RegistryEndpoint> endpoints(std::string_view registry) const;

 private:
  std::map<std::string, RegistrySettings> registries_;
};

// "localhost", "localhost:5000", "127.1.2.3:80", "[::1]:5000", "::1".
bool is_loopback_registry(std::string_view host_port);

}  // namespace dabba
