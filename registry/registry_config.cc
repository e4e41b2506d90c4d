#include "registry/registry_config.h"

#include <arpa/inet.h>

#include <algorithm>
#include <atomic>

#include "common/error.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/text.h"
#include "common/user_dirs.h"
#include "oci/image_ref.h"

namespace dabba {
namespace {

// "host:port" -> "host"; "[::1]:5000" -> "::1".
std::string host_only(std::string_view host_port) {
  if (!host_port.empty() && host_port.front() == '[') {
    size_t close = host_port.find(']');
    return std::string(host_port.substr(1, close == std::string_view::npos ? close : close - 1));
  }
  // A bare IPv6 address has several colons and no port.
  if (host_port.find(':') != host_port.rfind(':')) return std::string(host_port);
  return std::string(host_port.substr(0, host_port.find(':')));
}

// dabba before containers-registries.conf(5) read files of its own: say where their settings go
// now, once per process.
void warn_about_old_dabba_files() {
  static std::atomic<bool> warned{false};
  if (warned.exchange(true)) return;
  std::string dir;
  try {
    dir = user_config_dir() + "/dabba";
  } catch (const Error&) {
    return;
  }
  if (path_exists(dir + "/registries.json"))
    log_warn(dir + "/registries.json is no longer read: dabba uses containers-registries.conf(5) "
                   "like podman. Move its mirrors and insecure registries to ~/.config/containers/"
                   "registries.conf ([[registry]] location, insecure, [[registry.mirror]]; see "
                   "docs/registries.md) and delete it");
  if (path_exists(dir + "/auth.json"))
    log_warn(dir + "/auth.json is no longer read: dabba keeps logins where podman does "
                   "(${XDG_RUNTIME_DIR}/containers/auth.json). Log in again with dabba login and "
                   "delete it");
}

[[noreturn]] void blocked(const RegistryConf& r) {
  throw Error(Errc::kPermission, "registry " + r.prefix + " is blocked in " + r.origin, 0,
              "remove `blocked = true` from that [[registry]] to pull from it");
}

}  // namespace

bool is_loopback_registry(std::string_view host_port) {
  std::string host = lower(host_only(host_port));
  if (host == "localhost") return true;
  unsigned char addr[16];
  if (inet_pton(AF_INET, host.c_str(), addr) == 1) return addr[0] == 127;
  if (inet_pton(AF_INET6, host.c_str(), addr) == 1) {
    static const unsigned char kLoopback6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    return std::equal(addr, addr + 16, kLoopback6);
  }
  return false;
}

RegistryConfig RegistryConfig::load_default() {
  warn_about_old_dabba_files();
  return RegistryConfig(RegistriesConf::load(RegistriesConf::default_paths()));
}

RegistryConfig RegistryConfig::from_toml(std::string_view text, const std::string& origin) {
  RegistriesConf conf;
  conf.merge(text, origin);
  return RegistryConfig(std::move(conf));
}

RegistryEndpoint RegistryConfig::endpoint(const std::string& location, std::string_view rest,
                                          bool insecure, bool mirror) const {
  ImageRef remote = with_context("registries.conf location '" + location + "'", [&] {
    return ImageRef::parse(location + std::string(rest));
  });
  // The endpoint's own host may be marked insecure too (containers/image looks it up again).
  if (const RegistryConf* own = conf_.find(remote.registry()); own != nullptr && own->insecure)
    insecure = true;
  RegistryEndpoint e;
  e.host = remote.api_host();
  e.repository = remote.repository();
  bool skip_verify = tls_verify_.has_value() ? !*tls_verify_ : insecure;
  e.tls_verify = !skip_verify;
  e.allow_http = skip_verify || is_loopback_registry(e.host);
  e.mirror = mirror;
  return e;
}

std::vector<RegistryEndpoint> RegistryConfig::pull_endpoints(std::string_view registry,
                                                             std::string_view repository,
                                                             bool by_digest) const {
  const std::string name = std::string(registry) + "/" + std::string(repository);
  const RegistryConf* r = conf_.find(name);
  std::vector<RegistryEndpoint> out;
  if (r == nullptr) {
    out.push_back(endpoint(name, "", false, false));
    return out;
  }
  if (r->blocked) blocked(*r);
  const bool wildcard = r->prefix.rfind("*.", 0) == 0;
  // What follows the prefix in the name ("/library/alpine" for prefix "docker.io").
  const std::string rest = wildcard ? std::string() : name.substr(r->prefix.size());
  const std::string primary = wildcard || r->location.empty() ? name : r->location + rest;
  for (const MirrorConf& m : r->mirrors) {
    bool allowed = r->mirror_by_digest_only ? by_digest
                   : m.pull_from_mirror == PullFromMirror::kDigestOnly ? by_digest
                   : m.pull_from_mirror == PullFromMirror::kTagOnly   ? !by_digest
                                                                      : true;
    if (!allowed) continue;
    // A mirror of a wildcard prefix mirrors the whole name.
    out.push_back(endpoint(m.location, wildcard ? "/" + name : rest, m.insecure, true));
  }
  out.push_back(endpoint(primary, "", r->insecure, false));
  return out;
}

RegistryEndpoint RegistryConfig::push_endpoint(std::string_view registry,
                                               std::string_view repository) const {
  const std::string name = std::string(registry) + "/" + std::string(repository);
  const RegistryConf* r = conf_.find(name);
  if (r != nullptr && r->blocked) blocked(*r);
  return endpoint(name, "", r != nullptr && r->insecure, false);
}

TlsFiles RegistryConfig::tls_files(std::string_view host) const {
  return find_tls_files(host, cert_dir_);
}

}  // namespace dabba
