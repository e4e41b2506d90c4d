// What one registry operation needs to know about where to go and how: the user's
// containers-registries.conf(5) (registries_conf.h), plus the command line's overrides
// (--tls-verify, --cert-dir), turned into endpoints.
//
// A pull of registry/repository goes to the mirrors of the [[registry]] whose prefix matches
// longest (those allowed for a pull by tag or by digest), then to its location (the prefix
// rewritten), as containers/image does; a push goes to the named registry itself (podman
// neither mirrors nor rewrites pushes). A blocked registry is refused. Plain HTTP: for insecure
// registries and, unlike podman, for loopback ones (HTTPS is tried first, as Docker does).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "registry/certs_d.h"
#include "registry/registries_conf.h"

namespace dabba {

// One place to send a registry's API requests to.
struct RegistryEndpoint {
  std::string host;        // host[:port] ("registry-1.docker.io" for docker.io)
  std::string repository;  // the repository there (after prefix/location rewriting)
  bool allow_http = false;  // plain HTTP allowed (loopback or insecure); HTTPS tried first
  bool tls_verify = true;
  bool mirror = false;
  // "host/repository", for messages.
  std::string name() const { return host + "/" + repository; }
};

class RegistryConfig {
 public:
  RegistryConfig() = default;  // no registries.conf at all
  explicit RegistryConfig(RegistriesConf conf) : conf_(std::move(conf)) {}
  // registries.conf from podman's paths; warns (once) about a registries.json of an older dabba.
  static RegistryConfig load_default();
  // A configuration from TOML text (tests).
  static RegistryConfig from_toml(std::string_view text, const std::string& origin = "test");

  const RegistriesConf& conf() const { return conf_; }
  // --tls-verify: true verifies everywhere (even where registries.conf says insecure); false
  // allows plain HTTP and unverified certificates for every endpoint of this operation.
  void set_tls_verify(std::optional<bool> verify) { tls_verify_ = verify; }
  // --cert-dir: the one directory of CA and client certificates (instead of certs.d).
  void set_cert_dir(std::string dir) { cert_dir_ = std::move(dir); }

  // Mirrors (in order, those allowed for this kind of pull), then the primary location. Throws
  // Error{kPermission} "registry X is blocked in FILE".
  std::vector<RegistryEndpoint> pull_endpoints(std::string_view registry,
                                               std::string_view repository,
                                               bool by_digest) const;
  // The registry itself. Throws like pull_endpoints for a blocked registry.
  RegistryEndpoint push_endpoint(std::string_view registry, std::string_view repository) const;
  // The CA and client certificates for host[:port] (containers-certs.d(5) or --cert-dir).
  TlsFiles tls_files(std::string_view host) const;

 private:
  RegistryEndpoint endpoint(const std::string& location, std::string_view rest, bool insecure,
                            bool mirror) const;

  RegistriesConf conf_;
  std::optional<bool> tls_verify_;
  std::string cert_dir_;
};

// "localhost", "localhost:5000", "127.1.2.3:80", "[::1]:5000", "::1".
bool is_loopback_registry(std::string_view host_port);

}  // namespace dabba
