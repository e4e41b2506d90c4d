#include "registry/registry_login.h"

#include "common/error.h"
#include "registry/auth.h"
#include "registry/http_client.h"
#include "registry/tls_diagnosis.h"

namespace dabba {

LoginCheck verify_login(const std::string& registry, const Credentials& credentials,
                        const RegistryConfig& config, const HttpOptions& http) {
  // The registry itself, never a mirror: the credentials are for it.
  const RegistryEndpoint e = config.push_endpoint(registry, "x");
  const TlsFiles files = config.tls_files(e.host);
  const std::shared_ptr<const TlsConfig> tls = make_tls_config(files);
  HttpClient client(http);
  std::vector<std::string> schemes = {"https"};
  if (e.allow_http) schemes.push_back("http");
  std::string why;
  for (const std::string& scheme : schemes) {
    HttpRequest req;
    req.url = scheme + "://" + e.host + "/v2/";
    req.tls_verify = e.tls_verify;
    req.tls = tls;
    req.max_body = 64 << 10;
    HttpResponse r;
    try {
      r = client.send(req);
    } catch (const HttpTransportError& err) {
      if (speaks_tls(err.tls()) && e.tls_verify)
        throw explain_tls_failure(err, e.host, files, tls ? tls->source : "", http);
      why += (why.empty() ? "" : "; ") + std::string(err.what());
      continue;
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
    RegistryAuth auth({e.host, e.allow_http, e.tls_verify, tls}, credentials, http);
    try {
      req.authorization = auth.answer(r, "");  // Bearer: throws kAuth when the token is refused
    } catch (const Error& err) {
      if (err.code() != Errc::kAuth) throw;
      throw Error(Errc::kAuth, "invalid username/password", 0, err.what());
    }
    if (req.authorization.empty())
      throw Error(Errc::kAuth, "registry " + registry + " asks for an authentication scheme " +
                                   "dabba does not know");
    HttpResponse again = client.send(req);
    if (again.status == 401 || again.status == 403)
      throw Error(Errc::kAuth, "invalid username/password", 0,
                  "the registry answered HTTP " + std::to_string(again.status));
    if (!again.ok())
      throw Error(Errc::kNetwork, "registry " + registry + ": GET /v2/ with credentials: HTTP " +
                                      std::to_string(again.status));
    return out;
  }
  throw Error(Errc::kNetwork, "registry " + registry + " cannot be reached: " + why, 0,
              e.allow_http ? "is the registry running?"
                           : "check the name and the network; a plain-HTTP registry must be "
                             "marked insecure (--tls-verify=false, or insecure = true in "
                             "registries.conf)");
}

}  // namespace dabba
