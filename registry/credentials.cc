#include "registry/credentials.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/fs.h"
#include "common/text.h"
#include "oci/image_ref.h"

namespace dabba {
namespace {

using nlohmann::json;

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

std::string home_dir() {
  std::string home = env("HOME");
  if (!home.empty()) return home;
  if (struct passwd* pw = ::getpwuid(::getuid()); pw != nullptr && pw->pw_dir != nullptr)
    return pw->pw_dir;
  return "/";
}

// Reads an auth file; an absent file is an empty object. Never puts file content in an error:
// nlohmann's messages quote what they read, which may be a credential.
json load_auth_file(const std::string& path) {
  std::string text;
  if (path.empty() || !read_file_if_exists(path, text)) return json::object();
  try {
    json doc = json::parse(text);
    if (!doc.is_object())
      throw Error(Errc::kCorrupt, "auth file " + path + " is not a JSON object");
    return doc;
  } catch (const json::parse_error& e) {
    throw Error(Errc::kCorrupt,
                "auth file " + path + " is not valid JSON (at byte " + std::to_string(e.byte) + ")",
                0, "fix or remove the file");
  }
}

std::optional<Credentials> decode_entry(const json& entry, const std::string& path) {
  if (!entry.is_object()) return std::nullopt;
  Credentials c;
  c.source = path;
  if (auto it = entry.find("auth"); it != entry.end() && it->is_string() && !it->empty()) {
    std::string decoded;
    try {
      decoded = base64_decode(it->get<std::string>());
    } catch (Error& e) {
      e.add_context("auth file " + path);
      throw;
    }
    size_t colon = decoded.find(':');
    if (colon == std::string::npos)
      throw Error(Errc::kCorrupt, "auth file " + path + ": an \"auth\" value is not user:password");
    c.username = decoded.substr(0, colon);
    c.password = decoded.substr(colon + 1);
    return c;
  }
  auto user = entry.find("username");
  auto pass = entry.find("password");
  if (user != entry.end() && pass != entry.end() && user->is_string() && pass->is_string()) {
    c.username = user->get<std::string>();
    c.password = pass->get<std::string>();
    return c;
  }
  return std::nullopt;
}

// The entry of auths that matches registry/repository best: "reg/a/b", then "reg/a", then "reg".
std::optional<Credentials> find_in(const std::string& path, const std::string& registry,
                                   std::string_view repository) {
  json doc = load_auth_file(path);
  auto auths = doc.find("auths");
  if (auths == doc.end() || !auths->is_object()) return std::nullopt;
  std::map<std::string, const json*> by_key;
  for (auto it = auths->begin(); it != auths->end(); ++it)
    by_key.emplace(normalize_auth_key(it.key()), &it.value());  // the first spelling wins
  std::string candidate = registry;
  if (!repository.empty()) candidate += "/" + std::string(repository);
  for (;;) {
    if (auto it = by_key.find(candidate); it != by_key.end())
      if (auto c = decode_entry(*it->second, path)) return c;
    if (candidate.size() <= registry.size()) break;
    candidate = candidate.substr(0, candidate.rfind('/'));
  }
  return std::nullopt;
}

}  // namespace

std::string Credentials::basic_authorization() const {
  return "Basic " + base64_encode(username + ":" + password);
}

CredentialStore::Paths CredentialStore::default_paths() {
  Paths p;
  std::string config_home = env("XDG_CONFIG_HOME");
  if (config_home.empty()) config_home = home_dir() + "/.config";
  p.dabba = config_home + "/dabba/auth.json";
  std::string runtime = env("XDG_RUNTIME_DIR");
  if (!runtime.empty()) p.podman = runtime + "/containers/auth.json";
  std::string docker_config = env("DOCKER_CONFIG");
  p.docker = (docker_config.empty() ? home_dir() + "/.docker" : docker_config) + "/config.json";
  return p;
}

std::string normalize_auth_key(std::string_view key) {
  std::string_view k = key;
  bool url = false;
  for (std::string_view scheme : {"https://", "http://"}) {
    if (lower(k.substr(0, scheme.size())) == scheme) {
      k.remove_prefix(scheme.size());
      url = true;
    }
  }
  if (url) k = k.substr(0, k.find('/'));  // "index.docker.io/v1/" is a host and an API path
  while (!k.empty() && k.back() == '/') k.remove_suffix(1);
  size_t slash = k.find('/');
  std::string host = canonical_registry(k.substr(0, slash));
  return slash == std::string_view::npos ? host : host + std::string(k.substr(slash));
}

std::optional<Credentials> CredentialStore::find(std::string_view registry,
                                                 std::string_view repository) const {
  std::string reg = canonical_registry(registry);
  for (const std::string* path : {&paths_.dabba, &paths_.podman, &paths_.docker}) {
    if (path->empty()) continue;
    if (auto c = find_in(*path, reg, repository)) return c;
  }
  return std::nullopt;
}

void CredentialStore::save(std::string_view registry, const std::string& username,
                           const std::string& password) const {
  if (username.find(':') != std::string::npos)
    throw Error(Errc::kInvalidArgument, "a registry user name cannot contain ':'");
  json doc = load_auth_file(paths_.dabba);
  if (!doc.contains("auths") || !doc["auths"].is_object()) doc["auths"] = json::object();
  doc["auths"][canonical_registry(registry)] = {{"auth", base64_encode(username + ":" + password)}};
  make_dirs(dirname_of(paths_.dabba), 0700);
  write_file_atomic(paths_.dabba, doc.dump(2) + "\n", Sync::kDurable, 0600);
}

bool CredentialStore::remove(std::string_view registry) const {
  json doc = load_auth_file(paths_.dabba);
  auto auths = doc.find("auths");
  if (auths == doc.end() || !auths->is_object()) return false;
  std::string reg = canonical_registry(registry);
  bool removed = false;
  for (auto it = auths->begin(); it != auths->end();) {
    if (normalize_auth_key(it.key()) == reg) {
      it = auths->erase(it);
      removed = true;
    } else {
      ++it;
    }
  }
  if (removed) write_file_atomic(paths_.dabba, doc.dump(2) + "\n", Sync::kDurable, 0600);
  return removed;
}

std::vector<std::string> CredentialStore::other_sources(std::string_view registry) const {
  std::vector<std::string> out;
  std::string reg = canonical_registry(registry);
  for (const std::string* path : {&paths_.podman, &paths_.docker}) {
    if (!path->empty() && find_in(*path, reg, {})) out.push_back(*path);
  }
  return out;
}

std::string base64_encode(std::string_view data) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    uint32_t v = (uint8_t(data[i]) << 16) | (uint8_t(data[i + 1]) << 8) | uint8_t(data[i + 2]);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i + 1 == data.size()) {
    uint32_t v = uint8_t(data[i]) << 16;
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == data.size()) {
    uint32_t v = (uint8_t(data[i]) << 16) | (uint8_t(data[i + 1]) << 8);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

std::string base64_decode(std::string_view data) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;  // standard and URL-safe alphabets
    if (c == '/' || c == '_') return 63;
    return -1;
  };
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  size_t padding = 0;
  for (char c : data) {
    if (c == '=') {
      ++padding;
      continue;
    }
    if (c == '\n' || c == '\r' || c == ' ') continue;
    int v = value(c);
    if (v < 0 || padding > 0) throw Error(Errc::kCorrupt, "invalid base64 data");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  if (padding > 2 || bits >= 6) throw Error(Errc::kCorrupt, "invalid base64 data");
  return out;
}

}  // namespace dabba
