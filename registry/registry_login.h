// `dabba login`: checks credentials against a registry before they are saved, as podman login
// does: GET /v2/ answers 401 with a challenge; Basic is retried with the credentials, Bearer asks
// the token service for a token with them (no scope), then retries /v2/ with it.
#pragma once

#include <string>

#include "registry/credentials.h"
#include "registry/http.h"
#include "registry/registry_config.h"

namespace dabba {

struct LoginCheck {
  std::string endpoint;    // "https://host:port" that answered
  bool needs_auth = true;  // false: /v2/ answered 200 without credentials (nothing to check)
};

// Throws Error{kAuth} "invalid username/password" when the registry (or its token service)
// refuses the credentials, Error{kNetwork} when it cannot be reached (TLS failures explained).
// registry: "host[:port]".
LoginCheck verify_login(const std::string& registry, const Credentials& credentials,
                        const RegistryConfig& config, const HttpOptions& http);

}  // namespace dabba
