#include "registry/credentials.h"

#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/fs.h"
#include "common/idmap.h"
#include "common/log.h"
#include "common/text.h"
#include "common/user_dirs.h"
#include "oci/image_ref.h"
#include "registry/credential_helper.h"

namespace dabba {
namespace {

using nlohmann::json;

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
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
  } catch (const json::exception&) {  // a number out of range, say
    throw Error(Errc::kCorrupt, "auth file " + path + " is not valid JSON", 0,
                "fix or remove the file");
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

// The helper a file names for registry: credHelpers[registry], else credsStore; "" for none.
std::string helper_for(const json& doc, const std::string& registry, bool with_store = true) {
  if (auto helpers = doc.find("credHelpers"); helpers != doc.end() && helpers->is_object())
    for (auto it = helpers->begin(); it != helpers->end(); ++it)
      if (normalize_auth_key(it.key()) == registry && it->is_string()) return it->get<std::string>();
  if (with_store)
    if (auto store = doc.find("credsStore"); store != doc.end() && store->is_string())
      return store->get<std::string>();
  return {};
}

std::optional<Credentials> from_helper(const std::string& helper, const std::string& server,
                                       const std::string& path) {
  std::optional<HelperCredentials> got;
  try {
    got = credential_helper_get(helper, server);
  } catch (const Error& e) {
    // A helper named but not installed (Docker Desktop's credsStore on a server, say): no
    // credentials from it, as containers/image treats it.
    if (e.code() != Errc::kNotFound) throw;
    log_debug(std::string(e.what()) + " (named in " + path + ")");
    return std::nullopt;
  }
  if (!got) return std::nullopt;
  return Credentials{got->username, got->secret,
                     "docker-credential-" + helper + " (named in " + path + ")"};
}

// The auths entry that matches registry/repository best ("reg/a/b", then "reg/a", then "reg").
std::optional<Credentials> find_in_auths(const json& auths, const std::string& path,
                                         const std::string& registry,
                                         std::string_view repository) {
  if (!auths.is_object()) return std::nullopt;
  std::map<std::string, const json*> by_key;
  for (auto it = auths.begin(); it != auths.end(); ++it)
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

// A file's credentials: its helper for the registry, its auths, its credsStore.
std::optional<Credentials> find_in(const std::string& path, const std::string& registry,
                                   std::string_view repository, bool legacy = false) {
  json doc = load_auth_file(path);
  if (legacy) return find_in_auths(doc, path, registry, repository);
  std::string helper = helper_for(doc, registry, false);
  if (!helper.empty()) return from_helper(helper, registry, path);
  if (auto auths = doc.find("auths"); auths != doc.end())
    if (auto c = find_in_auths(*auths, path, registry, repository)) return c;
  helper = helper_for(doc, registry, true);
  if (!helper.empty()) return from_helper(helper, registry, path);
  return std::nullopt;
}

std::string registry_of_key(std::string_view key) {
  std::string k = normalize_auth_key(key);
  return k.substr(0, k.find('/'));
}

void write_auth_file(const std::string& path, const json& doc) {
  make_dirs(dirname_of(path), 0700);
  write_file_atomic(path, doc.dump(1, '\t') + "\n", Sync::kDurable, 0600);
}

}  // namespace

std::string Credentials::basic_authorization() const {
  return "Basic " + base64_encode(username + ":" + password);
}

CredentialStore::Paths CredentialStore::default_paths(const std::string& authfile) {
  Paths p;
  std::string env_file = env("REGISTRY_AUTH_FILE");
  if (!authfile.empty()) {
    p.primary = authfile;
  } else if (!env_file.empty()) {
    p.primary = env_file;
  } else if (std::string runtime = user_runtime_dir(); !runtime.empty()) {
    p.primary = runtime + "/containers/auth.json";
  } else {
    p.primary = "/run/containers/" + std::to_string(host_identity().uid) + "/auth.json";
  }
  try {
    p.read_only.push_back(user_config_dir() + "/containers/auth.json");
    std::string docker_config = env("DOCKER_CONFIG");
    p.read_only.push_back(
        (docker_config.empty() ? user_home_dir() + "/.docker" : docker_config) + "/config.json");
    p.dockercfg = user_home_dir() + "/.dockercfg";
  } catch (const Error&) {
    // No home: only the primary file.
  }
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
  if (!paths_.primary.empty())
    if (auto c = find_in(paths_.primary, reg, repository)) return c;
  for (const std::string& path : paths_.read_only) {
    if (path == paths_.primary) continue;
    if (auto c = find_in(path, reg, repository)) return c;
  }
  if (!paths_.dockercfg.empty())
    if (auto c = find_in(paths_.dockercfg, reg, repository, true)) return c;
  return std::nullopt;
}

std::optional<Credentials> CredentialStore::find_primary(std::string_view key) const {
  const std::string k = normalize_auth_key(key);
  const std::string reg = registry_of_key(k);
  json doc = load_auth_file(paths_.primary);
  std::string helper = helper_for(doc, reg, false);
  if (helper.empty())
    if (auto auths = doc.find("auths"); auths != doc.end() && auths->is_object()) {
      for (auto it = auths->begin(); it != auths->end(); ++it)
        if (normalize_auth_key(it.key()) == k) return decode_entry(it.value(), paths_.primary);
      return std::nullopt;
    }
  if (helper.empty()) helper = helper_for(doc, reg, true);
  if (helper.empty()) return std::nullopt;
  return from_helper(helper, reg, paths_.primary);
}

void CredentialStore::save(std::string_view key, const std::string& username,
                           const std::string& password) const {
  if (username.find(':') != std::string::npos)
    throw Error(Errc::kInvalidArgument, "a registry user name cannot contain ':'");
  const std::string k = normalize_auth_key(key);
  json doc = load_auth_file(paths_.primary);
  std::string helper = helper_for(doc, registry_of_key(k));
  if (!helper.empty()) {
    credential_helper_store(helper, registry_of_key(k), username, password);
    // As containers/image does: an empty entry says the helper has it.
    if (!doc.contains("auths") || !doc["auths"].is_object()) doc["auths"] = json::object();
    doc["auths"][k] = json::object();
  } else {
    if (!doc.contains("auths") || !doc["auths"].is_object()) doc["auths"] = json::object();
    doc["auths"][k] = {{"auth", base64_encode(username + ":" + password)}};
  }
  write_auth_file(paths_.primary, doc);
}

bool CredentialStore::remove(std::string_view key) const {
  const std::string k = normalize_auth_key(key);
  json doc = load_auth_file(paths_.primary);
  bool removed = false;
  std::string helper = helper_for(doc, registry_of_key(k));
  if (!helper.empty()) removed = credential_helper_erase(helper, registry_of_key(k));
  if (auto auths = doc.find("auths"); auths != doc.end() && auths->is_object()) {
    for (auto it = auths->begin(); it != auths->end();) {
      if (normalize_auth_key(it.key()) == k) {
        it = auths->erase(it);
        removed = true;
      } else {
        ++it;
      }
    }
  }
  if (removed) write_auth_file(paths_.primary, doc);
  return removed;
}

void CredentialStore::remove_all() const {
  json doc = load_auth_file(paths_.primary);
  if (doc.empty()) return;
  if (auto helpers = doc.find("credHelpers"); helpers != doc.end() && helpers->is_object())
    for (auto it = helpers->begin(); it != helpers->end(); ++it)
      if (it->is_string()) credential_helper_erase(it->get<std::string>(), normalize_auth_key(it.key()));
  if (auto store = doc.find("credsStore"); store != doc.end() && store->is_string())
    if (auto auths = doc.find("auths"); auths != doc.end() && auths->is_object())
      for (auto it = auths->begin(); it != auths->end(); ++it)
        credential_helper_erase(store->get<std::string>(), registry_of_key(it.key()));
  doc["auths"] = json::object();
  write_auth_file(paths_.primary, doc);
}

std::vector<std::string> CredentialStore::other_sources(std::string_view key) const {
  std::vector<std::string> out;
  const std::string k = normalize_auth_key(key);
  const std::string reg = registry_of_key(k);
  const std::string repo = k.size() > reg.size() ? k.substr(reg.size() + 1) : std::string();
  for (const std::string& path : paths_.read_only)
    if (path != paths_.primary && find_in(path, reg, repo)) out.push_back(path);
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
