// The pieces of the GET /v2/ probe that finds how a registry answers (https first, then plain
// http where allowed), shared by RegistryClient::ready and verify_login.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/error.h"
#include "registry/http.h"

namespace dabba {

// The schemes to try, in order: https, then http when the registry may speak plain HTTP.
std::vector<std::string> ping_schemes(bool allow_http);

// GET scheme://host/v2/, with a small body cap (the answer is "{}" or a registry's error).
HttpRequest ping_request(const std::string& scheme, const std::string& host, bool tls_verify,
                         std::shared_ptr<const TlsConfig> tls);

// Adds one scheme's failure to WHY, a "; "-separated list.
void add_ping_failure(std::string& why, const std::string& failure);

// The failure of an answer that is neither 200 nor 401: not a registry API v2.
std::string not_a_registry(const HttpRequest& req, int status);

// "registry NAME cannot be reached: WHY" (kNetwork), with a hint that depends on whether plain
// HTTP was allowed.
Error unreachable_registry(const std::string& name, const std::string& why, bool allow_http);

}  // namespace dabba
