// containers-certs.d(5): a registry's own TLS trust and client certificate, in a directory named
// after its host[:port] under ~/.config/containers/certs.d, /etc/containers/certs.d or
// /etc/docker/certs.d (the first that has one is used), or in the directory --cert-dir names.
//   *.crt          CA certificates trusted for that registry (besides the system's)
//   NAME.cert      a client certificate, with its key NAME.key (mutual TLS)
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "registry/http.h"

namespace dabba {

struct TlsFiles {
  std::string dir;                    // where they came from; "" when there is no directory
  std::vector<std::string> ca_files;  // *.crt, in name order
  std::string client_cert;            // NAME.cert (the first in name order), or ""
  std::string client_key;             // its NAME.key
};

// The certs.d directories that would serve host_port, in the order they are tried.
std::vector<std::string> certs_d_dirs(std::string_view host_port);

// The files for host_port: from cert_dir when it is not empty, else from the first certs.d
// directory that exists. Throws Error{kInvalidArgument} for a .cert without its .key (or the
// reverse), naming both.
TlsFiles find_tls_files(std::string_view host_port, const std::string& cert_dir = "");

// The PEM text of the system's CA bundle followed by the CA files (what a connection to that
// registry trusts). Throws Error naming a CA file that cannot be read.
std::string trusted_ca_pem(const TlsFiles& files);

// The HTTP layer's TLS settings for files; null when there is no directory.
std::shared_ptr<const TlsConfig> make_tls_config(const TlsFiles& files);

}  // namespace dabba
