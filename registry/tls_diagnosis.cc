#include "registry/tls_diagnosis.h"

#include "common/log.h"
#include "registry/http_client.h"

namespace dabba {
namespace {

struct PeerCertificate {
  std::string subject;
  std::string issuer;
  std::string names;  // subject alternative names
};

std::string field(const std::string& text, std::string_view key) {
  size_t at = text.find(key);
  if (at == std::string::npos) return {};
  size_t start = at + key.size();
  size_t end = text.find("; ", start);
  std::string v = text.substr(start, end == std::string::npos ? end : end - start);
  while (!v.empty() && v.front() == ' ') v.erase(0, 1);
  return v;
}

// The leaf certificate host presents, read without verifying it (nothing is sent but a GET of
// /v2/, without credentials).
std::optional<PeerCertificate> peer_certificate(const std::string& host,
                                                const HttpOptions& http) {
  HttpOptions options = http;
  options.max_attempts = 1;
  HttpClient client(options);
  HttpRequest req;
  req.url = "https://" + host + "/v2/";
  req.tls_verify = false;
  req.want_certificates = true;
  req.max_body = 64 << 10;
  try {
    HttpResponse r = client.send(req);
    if (r.certificates.empty()) return std::nullopt;
    PeerCertificate c;
    c.subject = field(r.certificates[0], "Subject:");
    c.issuer = field(r.certificates[0], "Issuer:");
    c.names = field(r.certificates[0], "X509v3 Subject Alternative Name:");
    return c;
  } catch (const Error& e) {
    log_debug(std::string("reading the certificate of ") + host + ": " + e.what());
    return std::nullopt;
  }
}

std::string where_cas_go(const std::string& host) {
  std::vector<std::string> dirs = certs_d_dirs(host);
  return dirs[0] + "/ca.crt or " + dirs[1] + "/ca.crt";
}

}  // namespace

Error explain_tls_failure(const HttpTransportError& failure, const std::string& host,
                          const TlsFiles& files, const std::string& cert_dir,
                          const HttpOptions& http) {
  const std::string reason = failure.what();
  switch (failure.tls()) {
    case TlsProblem::kUntrusted:
    case TlsProblem::kHostMismatch: {
      auto cert = peer_certificate(host, http);
      std::string who = cert ? "its certificate (subject " + cert->subject + ", issued by " +
                                   cert->issuer + ")"
                             : "its certificate";
      if (failure.tls() == TlsProblem::kHostMismatch)
        return Error(Errc::kNetwork,
                     "registry " + host + ": TLS: " + who + " is not valid for " + host +
                         (cert && !cert->names.empty() ? " (it names " + cert->names + ")" : "") +
                         ": " + reason,
                     0, "reach the registry by a name its certificate holds, or --tls-verify=false");
      std::string hint;
      const std::string issuer = cert ? " (" + cert->issuer + ")" : "";
      if (!cert_dir.empty() || !files.dir.empty()) {
        const std::string dir = cert_dir.empty() ? files.dir : cert_dir;
        hint = "the .crt files in " + dir +
               " do not include the CA that signed it" + issuer +
               ": add that CA's certificate (PEM) there as a .crt file; --tls-verify=false "
               "skips the check";
      } else {
        hint = "put the certificate of the CA that signed it" + issuer + ", in PEM, in " +
               where_cas_go(host) + " (containers-certs.d(5)), or pass --cert-dir DIR; "
               "--tls-verify=false skips the check";
      }
      return Error(Errc::kNetwork,
                   "registry " + host + ": TLS: " + who + " is not trusted: " + reason, 0, hint);
    }
    case TlsProblem::kClientCertificate: {
      std::vector<std::string> dirs = certs_d_dirs(host);
      std::string hint =
          files.client_cert.empty()
              ? "put a client certificate and its key as client.cert and client.key in " +
                    dirs[0] + "/ or " + dirs[1] + "/ (containers-certs.d(5)), or pass --cert-dir DIR"
              : "the registry refused " + files.client_cert +
                    ": check that it is signed by a CA the registry trusts";
      return Error(Errc::kNetwork,
                   "registry " + host + " requires a client certificate (mutual TLS)" +
                       (files.client_cert.empty() ? " and none was given" : "") + ": " + reason,
                   0, hint);
    }
    case TlsProblem::kOther:
    case TlsProblem::kNone:
      break;
  }
  return Error(Errc::kNetwork, "registry " + host + ": TLS handshake failed: " + reason, 0,
               failure.hint());
}

}  // namespace dabba
