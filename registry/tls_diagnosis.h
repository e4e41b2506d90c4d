// A failed TLS handshake explained so that the user can fix it: which certificate is not trusted
// (its subject and issuer, read by a second handshake that does not verify) and where the CA
// that signed it goes (containers-certs.d(5)); or that the registry wants a client certificate.
#pragma once

#include <string>

#include "registry/certs_d.h"
#include "registry/http.h"

namespace dabba {

// failure: what the verified request threw; host: "host:port"; files: the certs.d files that
// were used (or none); cert_dir: --cert-dir, if given.
Error explain_tls_failure(const HttpTransportError& failure, const std::string& host,
                          const TlsFiles& files, const std::string& cert_dir,
                          const HttpOptions& http);

}  // namespace dabba
