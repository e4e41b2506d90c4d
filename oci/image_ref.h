// Image references with Docker's normalisation (the distribution/reference grammar):
//   alpine                        -> docker.io/library/alpine:latest
//   user/app:1.2                  -> docker.io/user/app:1.2
//   registry.example:5000/a/b:tag -> registry.example:5000/a/b:tag
//   localhost/x                   -> localhost/x:latest
//   name@sha256:...               -> docker.io/library/name@sha256:...
//   name:tag@sha256:...           -> the digest is what is fetched; the tag is kept for naming.
#pragma once

#include <string>
#include <string_view>

#include "oci/digest.h"

namespace dabba {

class ImageRef {
 public:
  // Parses and normalises text; throws Error{kInvalidArgument} saying what is wrong with it.
  static ImageRef parse(std::string_view text);

  // "docker.io", "localhost:5000", "[::1]:5000": the registry as named in references.
  const std::string& registry() const { return registry_; }
  // "library/alpine": the repository path inside the registry.
  const std::string& repository() const { return repository_; }
  // The tag; "latest" when neither a tag nor a digest was given, empty for name@digest.
  const std::string& tag() const { return tag_; }
  // The digest, empty() when none was given.
  const Digest& digest() const { return digest_; }
  bool has_digest() const { return !digest_.empty(); }

  // "docker.io/library/alpine".
  std::string name() const { return registry_ + "/" + repository_; }
  // The canonical full reference: name[:tag][@digest].
  std::string str() const;
  // The short form Docker shows: "alpine:latest", "user/app:1.2", "localhost:5000/x:y".
  std::string familiar() const;
  // What goes after /v2/<repository>/manifests/: the digest when there is one, else the tag.
  std::string manifest_reference() const { return has_digest() ? digest_.str() : tag_; }
  // The host[:port] that serves the registry API: registry-1.docker.io for docker.io.
  std::string api_host() const;

  // The same name pinned to a digest (the tag is kept), e.g. after a tag was resolved.
  ImageRef with_digest(const Digest& digest) const;

  bool operator==(const ImageRef&) const = default;

 private:
  std::string registry_;
  std::string repository_;
  std::string tag_;
  Digest digest_;
};

// Checks a tag on its own ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}); throws like ImageRef::parse.
void validate_tag(std::string_view tag);

inline constexpr std::string_view kDockerHubRegistry = "docker.io";
inline constexpr std::string_view kDockerHubApiHost = "registry-1.docker.io";

// A registry's one spelling, as keys of credentials and registries.json: lower case, no trailing
// slash, and docker.io for index.docker.io and registry-1.docker.io (Docker Hub's other names).
std::string canonical_registry(std::string_view registry);

}  // namespace dabba
