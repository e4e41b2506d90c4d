#include "registry/registry_config.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/fs.h"
#include "common/text.h"
#include "oci/image_ref.h"

namespace dabba {
namespace {

using nlohmann::json;

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

std::string RegistryConfig::default_path() {
  const char* config_home = std::getenv("XDG_CONFIG_HOME");
  if (config_home != nullptr && *config_home != '\0')
    return std::string(config_home) + "/dabba/registries.json";
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : "/") + "/.config/dabba/registries.json";
}

RegistryConfig RegistryConfig::load(const std::string& path) {
  std::string text;
  if (!read_file_if_exists(path, text)) return {};
  return parse(text, path);
}

RegistryConfig RegistryConfig::parse(std::string_view json_text, const std::string& origin) {
  auto bad = [&](const std::string& why) {
    return Error(Errc::kCorrupt, "registry config " + origin + ": " + why, 0,
                 "see the format in docs or fix the file");
  };
  json doc;
  try {
    doc = json::parse(json_text);
  } catch (const json::parse_error& e) {
    throw bad("not valid JSON (at byte " + std::to_string(e.byte) + ")");
  }
  RegistryConfig config;
  if (!doc.is_object()) throw bad("not a JSON object");
  auto regs = doc.find("registries");
  if (regs == doc.end()) return config;
  if (!regs->is_object()) throw bad("\"registries\" must be an object keyed by registry host");
  for (auto it = regs->begin(); it != regs->end(); ++it) {
    const json& entry = it.value();
    if (!entry.is_object()) throw bad("entry \"" + it.key() + "\" must be an object");
    RegistrySettings s;
    if (auto insecure = entry.find("insecure"); insecure != entry.end()) {
      if (!insecure->is_boolean()) throw bad("\"" + it.key() + "\".insecure must be true or false");
      s.insecure = insecure->get<bool>();
    }
    if (auto mirrors = entry.find("mirrors"); mirrors != entry.end()) {
      if (!mirrors->is_array()) throw bad("\"" + it.key() + "\".mirrors must be an array");
      for (const json& m : *mirrors) {
        if (!m.is_string() || m.get<std::string>().empty())
          throw bad("\"" + it.key() + "\".mirrors must hold host[:port][/prefix] strings");
        std::string mirror = m.get<std::string>();
        for (std::string_view scheme : {"https://", "http://"})
          if (mirror.rfind(scheme, 0) == 0) mirror.erase(0, scheme.size());
        while (!mirror.empty() && mirror.back() == '/') mirror.pop_back();
        s.mirrors.push_back(mirror);
      }
    }
    config.registries_[canonical_registry(it.key())] = std::move(s);
  }
  return config;
}

RegistrySettings RegistryConfig::settings_for(std::string_view registry) const {
  auto it = registries_.find(canonical_registry(registry));
  return it == registries_.end() ? RegistrySettings{} : it->second;
}

void RegistryConfig::set_insecure(std::string_view registry) {
  registries_[canonical_registry(registry)].insecure = true;
}

std::vector<RegistryEndpoint> RegistryConfig::endpoints(std::string_view registry) const {
  std::vector<RegistryEndpoint> out;
  RegistrySettings settings = settings_for(registry);
  for (const std::string& mirror : settings.mirrors) {
    RegistryEndpoint e;
    size_t slash = mirror.find('/');
    e.host = mirror.substr(0, slash);
    if (slash != std::string::npos) e.path_prefix = mirror.substr(slash + 1);
    bool insecure = settings_for(e.host).insecure;
    e.allow_http = insecure || is_loopback_registry(e.host);
    e.tls_verify = !insecure;
    e.mirror = true;
    out.push_back(std::move(e));
  }
  RegistryEndpoint origin;
  std::string reg = canonical_registry(registry);
  origin.host = reg == kDockerHubRegistry ? std::string(kDockerHubApiHost) : std::string(registry);
  origin.allow_http = settings.insecure || is_loopback_registry(origin.host);
  origin.tls_verify = !settings.insecure;
  out.push_back(std::move(origin));
  return out;
}

}  // namespace dabba
