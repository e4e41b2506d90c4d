// How a registry's HTTP answers become dabba errors (shared by the client and the uploader).
#pragma once

#include <string>

#include "common/error.h"
#include "registry/auth.h"
#include "registry/http.h"

namespace dabba {

// "MANIFEST_UNKNOWN: manifest unknown; ..." from a registry's {"errors": [...]} body, "" if none.
std::string registry_errors(const std::string& body);

// The Error for a non-2xx answer to what (401/403: kAuth with a login hint naming host, 404:
// kNotFound, 429 and 5xx: kNetwork, else kFailed), with the registry's own error text.
Error http_error(const HttpResponse& r, const std::string& what, const RegistryAuth& auth,
                 const std::string& host);

}  // namespace dabba
