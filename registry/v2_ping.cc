#include "registry/v2_ping.h"

#include <utility>

namespace dabba {

std::vector<std::string> ping_schemes(bool allow_http) {
  std::vector<std::string> schemes = {"https"};
  if (allow_http) schemes.push_back("http");
  return schemes;
}

HttpRequest ping_request(const std::string& scheme, const std::string& host, bool tls_verify,
                         std::shared_ptr<const TlsConfig> tls) {
  HttpRequest req;
  req.url = scheme + "://" + host + "/v2/";
  req.tls_verify = tls_verify;
  req.tls = std::move(tls);
  req.max_body = 64 << 10;
  return req;
}

void add_ping_failure(std::string& why, const std::string& failure) {
  why += (why.empty() ? "" : "; ") + failure;
}

std::string not_a_registry(const HttpRequest& req, int status) {
  return describe_request("GET", req.url) + ": HTTP " + std::to_string(status) +
         " (not a registry API v2)";
}

Error unreachable_registry(const std::string& name, const std::string& why, bool allow_http) {
  return Error(Errc::kNetwork, "registry " + name + " cannot be reached: " + why, 0,
               allow_http ? "is the registry running?"
                          : "check the name and the network; a plain-HTTP registry must be "
                            "marked insecure (--tls-verify=false, or insecure = true in "
                            "registries.conf)");
}

}  // namespace dabba
