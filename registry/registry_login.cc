#include "registry/registry_login.h"

#include "common/error.h"
#include "registry/auth.h"
#include "registry/http_client.h"
#include "registry/tls_diagnosis.h"
#include "registry/v2_ping.h"

namespace dabba {

LoginCheck verify_login(const std::string& registry, const Credentials& credentials,
                        const RegistryConfig& config, const HttpOptions& http) {
  // The registry itself, never a mirror: the credentials are for it.
  const RegistryEndpoint e = config.push_endpoint(registry, "x");
  const TlsFiles files = config.tls_files(e.host);
  const std::shared_ptr<const TlsConfig> tls = make_tls_config(files);
  HttpClient client(http);
  std::string why;
  for (const std::string& scheme : ping_schemes(e.allow_http)) {
    HttpRequest req = ping_request(scheme, e.host, e.tls_verify, tls);
    HttpResponse r;
    try {
      r = client.send(req);
    } catch (const HttpTransportError& err) {
      if (speaks_tls(err.tls()) && e.tls_verify)
        throw explain_tls_failure(err, e.host, files, tls ? tls->source : "", http);
      add_ping_failure(why, err.what());
      continue;
    } catch (const Error& err) {
      if (err.code() == Errc::kInterrupted) throw;
      add_ping_failure(why, err.what());
      continue;
    }
    LoginCheck out;
    out.endpoint = scheme + "://" + e.host;
    if (r.status == 200) {
      out.needs_auth = false;
      return out;
    }
    if (r.status != 401) {
      add_ping_failure(why, not_a_registry(req, r.status));
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
  throw unreachable_registry(registry, why, e.allow_http);
}

}  // namespace dabba
