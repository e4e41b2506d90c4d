#include "registry/certs_d.h"

#include <sys/stat.h>

#include <algorithm>

#include "common/error.h"
#include "common/fs.h"
#include "common/user_dirs.h"

namespace dabba {
namespace {

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() > suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool is_dir(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// The system's CA bundle, where Debian, Fedora and openSUSE keep it.
std::string system_ca_bundle() {
  for (const char* p : {"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt",
                        "/etc/ssl/ca-bundle.pem"}) {
    std::string text;
    if (read_file_if_exists(p, text)) return text;
  }
  return {};
}

}  // namespace

std::vector<std::string> certs_d_dirs(std::string_view host_port) {
  std::vector<std::string> out;
  const std::string host(host_port);
  try {
    out.push_back(user_config_dir() + "/containers/certs.d/" + host);
  } catch (const Error&) {
  }
  out.push_back("/etc/containers/certs.d/" + host);
  out.push_back("/etc/docker/certs.d/" + host);
  return out;
}

TlsFiles find_tls_files(std::string_view host_port, const std::string& cert_dir) {
  TlsFiles out;
  if (!cert_dir.empty()) {
    out.dir = cert_dir;
  } else {
    for (const std::string& dir : certs_d_dirs(host_port))
      if (is_dir(dir)) {
        out.dir = dir;
        break;
      }
  }
  if (out.dir.empty()) return out;
  std::vector<std::string> names = list_directory(out.dir);
  auto has = [&](const std::string& n) { return std::binary_search(names.begin(), names.end(), n); };
  for (const std::string& n : names) {
    const std::string path = out.dir + "/" + n;
    if (ends_with(n, ".crt")) {
      out.ca_files.push_back(path);
    } else if (ends_with(n, ".cert")) {
      std::string key = n.substr(0, n.size() - 5) + ".key";
      if (!has(key))
        throw Error(Errc::kInvalidArgument,
                    "missing key " + out.dir + "/" + key + " for client certificate " + path, 0,
                    "a client certificate NAME.cert needs its private key NAME.key beside it");
      if (out.client_cert.empty()) {
        out.client_cert = path;
        out.client_key = out.dir + "/" + key;
      }
    } else if (ends_with(n, ".key")) {
      std::string cert = n.substr(0, n.size() - 4) + ".cert";
      if (!has(cert))
        throw Error(Errc::kInvalidArgument,
                    "missing client certificate " + out.dir + "/" + cert + " for key " + path, 0,
                    "a key NAME.key needs its client certificate NAME.cert beside it");
    }
  }
  return out;
}

std::string trusted_ca_pem(const TlsFiles& files) {
  std::string pem = system_ca_bundle();
  for (const std::string& f : files.ca_files) {
    std::string text = with_context("CA certificate " + f, [&] { return read_file(f); });
    if (!pem.empty() && pem.back() != '\n') pem += '\n';
    pem += text;
  }
  return pem;
}

std::shared_ptr<const TlsConfig> make_tls_config(const TlsFiles& files) {
  if (files.dir.empty()) return nullptr;
  auto tls = std::make_shared<TlsConfig>();
  if (!files.ca_files.empty()) tls->ca_pem = trusted_ca_pem(files);
  tls->client_cert = files.client_cert;
  tls->client_key = files.client_key;
  tls->source = files.dir;
  return tls;
}

}  // namespace dabba
