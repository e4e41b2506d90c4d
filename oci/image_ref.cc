#include "oci/image_ref.h"

#include <algorithm>

#include "common/error.h"
#include "common/text.h"

namespace dabba {
namespace {

// distribution/reference limits the repository path (without the registry) to 255 characters.
constexpr size_t kMaxRepositoryLength = 255;
constexpr size_t kMaxTagLength = 128;
constexpr std::string_view kLegacyDockerHub = "index.docker.io";
constexpr std::string_view kOfficialPrefix = "library/";
constexpr const char* kHint =
    "a reference is [registry[:port]/]repository[:tag][@sha256:digest], e.g. alpine, "
    "docker.io/library/alpine:3.19 or localhost:5000/app@sha256:...";

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_alnum(char c) { return is_lower_alnum(c) || (c >= 'A' && c <= 'Z'); }
bool is_word(char c) { return is_alnum(c) || c == '_'; }
bool is_hex_lower(char c) { return (c >= '0' && c <= 'f') && (c <= '9' || c >= 'a'); }
bool has_upper(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

[[noreturn]] void fail(std::string_view text, const std::string& why) {
  std::string shown(text.substr(0, 120));
  if (text.size() > 120) shown += "...";
  throw Error(Errc::kInvalidArgument, "invalid image reference '" + shown + "': " + why, 0, kHint);
}

// path-component := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
// Returns an empty string when valid, else why not.
std::string check_path_component(std::string_view c) {
  if (c.empty()) return "empty path component (two slashes, or a slash at an end)";
  for (char ch : c)
    if (!is_lower_alnum(ch) && ch != '.' && ch != '_' && ch != '-')
      return "invalid character '" + std::string(1, ch) + "' in path component '" + std::string(c) +
             "'";
  if (!is_lower_alnum(c.front()) || !is_lower_alnum(c.back()))
    return "path component '" + std::string(c) + "' must start and end with a-z or 0-9";
  size_t i = 0;
  while (i < c.size()) {
    if (is_lower_alnum(c[i])) {
      ++i;
      continue;
    }
    size_t start = i;
    while (i < c.size() && !is_lower_alnum(c[i])) ++i;
    std::string_view sep = c.substr(start, i - start);
    bool dashes = std::all_of(sep.begin(), sep.end(), [](char ch) { return ch == '-'; });
    if (sep == "." || sep == "_" || sep == "__" || dashes) continue;
    return "invalid separator '" + std::string(sep) + "' in path component '" + std::string(c) +
           "' (allowed: '.', '_', '__' or dashes)";
  }
  return {};
}

// domain-component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
bool valid_domain_component(std::string_view c) {
  if (c.empty() || !is_alnum(c.front()) || !is_alnum(c.back())) return false;
  return std::all_of(c.begin(), c.end(), [](char ch) { return is_alnum(ch) || ch == '-'; });
}

// host[:port] where host is a domain name, a dotted IPv4 address (a domain name too) or an IPv6
// address in brackets (no zone identifier).
std::string check_registry(std::string_view reg) {
  std::string_view host = reg;
  std::string_view port;
  if (!reg.empty() && reg.front() == '[') {
    size_t close = reg.find(']');
    if (close == std::string_view::npos)
      return "unterminated '[' in registry '" + std::string(reg) + "'";
    std::string_view inside = reg.substr(1, close - 1);
    bool ok = !inside.empty() && std::all_of(inside.begin(), inside.end(), [](char ch) {
      return ch == ':' || (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
             (ch >= 'A' && ch <= 'F');
    });
    if (!ok) return "invalid IPv6 address in registry '" + std::string(reg) + "'";
    host = reg.substr(0, close + 1);
    std::string_view rest = reg.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':')
        return "unexpected text after ']' in registry '" + std::string(reg) + "'";
      port = rest.substr(1);
      if (port.empty()) return "empty port in registry '" + std::string(reg) + "'";
    }
  } else {
    size_t colon = reg.find(':');
    if (colon != std::string_view::npos) {
      host = reg.substr(0, colon);
      port = reg.substr(colon + 1);
      if (port.empty()) return "empty port in registry '" + std::string(reg) + "'";
    }
    if (host.empty()) return "empty registry host";
    size_t start = 0;
    for (;;) {
      size_t dot = host.find('.', start);
      std::string_view comp = host.substr(start, dot == std::string_view::npos ? dot : dot - start);
      if (!valid_domain_component(comp)) return "invalid registry host '" + std::string(host) + "'";
      if (dot == std::string_view::npos) break;
      start = dot + 1;
    }
  }
  if (!std::all_of(port.begin(), port.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
    return "invalid port '" + std::string(port) + "' in registry '" + std::string(reg) + "'";
  return {};
}

std::string check_tag(std::string_view tag) {
  if (tag.empty()) return "empty tag after ':'";
  if (tag.size() > kMaxTagLength)
    return "tag is " + std::to_string(tag.size()) + " characters long (at most 128)";
  if (!is_word(tag.front()))
    return "tag '" + std::string(tag) + "' must start with A-Z, a-z, 0-9 or '_'";
  for (char c : tag)
    if (!is_word(c) && c != '.' && c != '-')
      return "invalid character '" + std::string(1, c) + "' in tag '" + std::string(tag) + "'";
  return {};
}

std::string check_digest(std::string_view text, Digest& out) {
  if (text.empty()) return "empty digest after '@'";
  if (Digest::try_parse(text, out)) return {};
  size_t colon = text.find(':');
  if (colon == std::string_view::npos) return "digest '" + std::string(text) + "' has no algorithm";
  std::string_view algo = text.substr(0, colon);
  if (algo != "sha256")
    return "unsupported digest algorithm '" + std::string(algo) + "' (only sha256)";
  return "digest must be sha256: followed by 64 lowercase hex digits";
}

// Splits "a/b/c" into (registry, repository) the way Docker does: the first component is a
// registry when it is "localhost", contains '.' or ':', or has an uppercase letter.
std::pair<std::string, std::string> split_registry(std::string_view name) {
  size_t slash = name.find('/');
  if (slash == std::string_view::npos)
    return {std::string(kDockerHubRegistry), std::string(kOfficialPrefix) + std::string(name)};
  std::string_view first = name.substr(0, slash);
  std::string_view rest = name.substr(slash + 1);
  std::string registry;
  std::string repository;
  if (first == "localhost" || first.find_first_of(".:") != std::string_view::npos ||
      has_upper(first)) {
    registry = first == kLegacyDockerHub ? std::string(kDockerHubRegistry) : std::string(first);
    repository = std::string(rest);
  } else {
    registry = std::string(kDockerHubRegistry);
    repository = std::string(name);
  }
  if (registry == kDockerHubRegistry && repository.find('/') == std::string::npos)
    repository = std::string(kOfficialPrefix) + repository;
  return {registry, repository};
}

}  // namespace

std::string canonical_registry(std::string_view registry) {
  std::string r = lower(registry);
  while (!r.empty() && r.back() == '/') r.pop_back();
  if (r == kLegacyDockerHub || r == kDockerHubApiHost) return std::string(kDockerHubRegistry);
  return r;
}

void validate_tag(std::string_view tag) {
  std::string why = check_tag(tag);
  if (!why.empty()) fail(tag, why);
}

ImageRef ImageRef::parse(std::string_view text) {
  if (text.empty()) fail(text, "empty reference");
  if (text.size() == 64 && std::all_of(text.begin(), text.end(), is_hex_lower))
    fail(text, "a 64-character hex string is an image ID, not a repository name");
  for (char c : text)
    if (static_cast<unsigned char>(c) <= ' ' || static_cast<unsigned char>(c) >= 0x7f)
      fail(text, "contains whitespace or a non-ASCII character");

  ImageRef ref;
  std::string_view rest = text;
  if (size_t at = rest.find('@'); at != std::string_view::npos) {
    std::string why = check_digest(rest.substr(at + 1), ref.digest_);
    if (!why.empty()) fail(text, why);
    rest = rest.substr(0, at);
  }
  size_t last_slash = rest.rfind('/');
  size_t colon = rest.rfind(':');
  if (colon != std::string_view::npos &&
      (last_slash == std::string_view::npos || colon > last_slash)) {
    std::string_view tag = rest.substr(colon + 1);
    std::string why = check_tag(tag);
    if (!why.empty()) fail(text, why);
    ref.tag_ = std::string(tag);
    rest = rest.substr(0, colon);
  }
  if (rest.empty()) fail(text, "no repository name");

  auto [registry, repository] = split_registry(rest);
  if (std::string why = check_registry(registry); !why.empty()) fail(text, why);
  if (has_upper(repository)) fail(text, "repository name '" + repository + "' must be lowercase");
  if (repository.size() > kMaxRepositoryLength)
    fail(text, "repository name is " + std::to_string(repository.size()) +
                   " characters long (at most 255)");
  size_t start = 0;
  for (;;) {
    size_t slash = repository.find('/', start);
    std::string_view comp =
        std::string_view(repository)
            .substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (std::string why = check_path_component(comp); !why.empty()) fail(text, why);
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  ref.registry_ = std::move(registry);
  ref.repository_ = std::move(repository);
  if (ref.tag_.empty() && ref.digest_.empty()) ref.tag_ = "latest";
  return ref;
}

std::string ImageRef::str() const {
  std::string out = name();
  if (!tag_.empty()) out += ":" + tag_;
  if (!digest_.empty()) out += "@" + digest_.str();
  return out;
}

std::string ImageRef::familiar() const {
  std::string out;
  if (registry_ != kDockerHubRegistry) {
    out = name();
  } else {
    std::string_view repo = repository_;
    if (repo.substr(0, kOfficialPrefix.size()) == kOfficialPrefix &&
        repo.find('/', kOfficialPrefix.size()) == std::string_view::npos)
      repo.remove_prefix(kOfficialPrefix.size());
    out = std::string(repo);
  }
  if (!tag_.empty()) out += ":" + tag_;
  if (!digest_.empty()) out += "@" + digest_.str();
  return out;
}

std::string ImageRef::api_host() const {
  return registry_ == kDockerHubRegistry ? std::string(kDockerHubApiHost) : registry_;
}

ImageRef ImageRef::with_digest(const Digest& digest) const {
  ImageRef copy = *this;
  copy.digest_ = digest;
  return copy;
}

}  // namespace dabba
