#include "registry/registry_login.h"

#include "common/error.h"
#include "registry/auth.h"
#include "registry/http_client.h"

namespace dabba {

LoginCheck verify_login(const std::string& registry, const Credentials& credentials,
                        const RegistryConfig& config, const HttpOptions& http) {
  // The registry itself, never a mirror: the credentials are for it.
  std::vector<RegistryEndpoint> endpoints = config.endpoints(registry);
  if (endpoints.empty()) throw Error(Errc::kFailed, "registry " + registry + " has no endpoint");
  const RegistryEndpoint& e = endpoints.back();
  HttpClient client(http);
  std::vector<std::string> schemes = {"https"};
  if (e.allow_http) schemes.push_back("http");
  std::string why;
  for (const std::string& scheme : schemes) {
    HttpRequest req;
    req.url = scheme + "://" + e.host + "/v2/";
    req.tls_verify = e.tls_verify;
    req.max_body = 64 << 10;
    HttpResponse r;
    try {
      r = client.send(req);
    } catch (const Error& err) {
      if (err.code() == Errc::kInterrupted) throw;
      why += (why.empty() ? "" : "; ") + std::string(err.what());
      continue;
    }
    LoginCheck out;
    out.endpoint = scheme + "://" + e.host;
    if (r.status == 200) {
      out.needs_auth = false;
      return out;
    }
    if (r.status != 401) {
      why += (why.empty() ? "" : "; ") + describe_request("GET", req.url) + ": HTTP " +
             std::to_string(r.status) + " (not a registry API v2)";
      continue;
    }
    RegistryAuth auth({e.host, e.allow_http, e.tls_verify}, credentials, http);
    req.authorization = auth.answer(r, "");  // Bearer: throws kAuth when the token is refused
    if (req.authorization.empty())
      throw Error(Errc::kAuth, "registry " + registry + " asks for an authentication scheme " +
                                   "dabba does not know");
    HttpResponse again = client.send(req);
    if (again.status == 401 || again.status == 403)
      throw Error(Errc::kAuth,
                  "registry " + registry + " refused the user name and password (HTTP " +
                      std::to_string(again.status) + ")",
                  0, "check them and try again");
    if (!again.ok())
      throw Error(Errc::kNetwork, "registry " + registry + ": GET /v2/ with credentials: HTTP " +
                                      std::to_string(again.status));
    return out;
  }
  throw Error(Errc::kNetwork, "registry " + registry + " cannot be reached: " + why, 0,
              e.allow_http ? "is the registry running?"
                           : "check the name and the network; a plain-HTTP registry must be "
                             "marked insecure (--tls-verify=false or registries.json)");
}

}  // namespace dabba
