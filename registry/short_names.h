// Short names ("alpine", "library/fedora:38": no registry) resolved as podman resolves them
// (containers/image's shortnames): an alias first (short-name-aliases.conf, then [aliases]), else
// every unqualified-search registry in order. A name with a registry is used as it is.
//
// dabba never prompts: where podman would ask on a terminal (short-name-mode "enforcing" with
// several search registries), it fails with podman's non-interactive message instead.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "oci/image_ref.h"
#include "registry/registries_conf.h"

namespace dabba {

// True when text names no registry: its first path component (if it has several) neither
// contains '.' or ':' nor is "localhost".
bool is_short_name(std::string_view text);

struct ShortNameResolution {
  std::vector<ImageRef> candidates;  // to try in order; one for a fully qualified name
  // podman's line before the pulls, e.g. `Resolved "alpine" as an alias (FILE)`; "" when text
  // was fully qualified.
  std::string description;
};

// The references a pull of text tries. Throws Error{kInvalidArgument} for a bad reference, and
// Error{kFailed} with podman's messages when a short name has no alias and no search registry,
// or when short-name-mode "enforcing" meets several search registries.
ShortNameResolution resolve_pull_name(std::string_view text, const RegistriesConf& conf);

// The stored names a short name may mean, in podman's order: the alias, "localhost/NAME", each
// search registry, then Docker Hub's normalisation. A fully qualified name is only itself.
// Tags default to "latest"; a digest is kept.
std::vector<ImageRef> local_name_candidates(std::string_view text, const RegistriesConf& conf);

}  // namespace dabba
