#include "registry/registry_errors.h"

#include <nlohmann/json.hpp>

namespace dabba {

using nlohmann::json;

// "MANIFEST_UNKNOWN: manifest unknown" from a registry's {"errors": [...]} body.
std::string registry_errors(const std::string& body) {
  std::string out;
  try {
    json doc = json::parse(body);
    auto errors = doc.find("errors");
    if (errors == doc.end() || !errors->is_array()) return {};
    for (const json& e : *errors) {
      if (!e.is_object()) continue;
      std::string code = e.value("code", "");
      std::string message = e.value("message", "");
      if (!out.empty()) out += "; ";
      out += code.empty() ? message : code + (message.empty() ? "" : ": " + message);
    }
  } catch (const std::exception&) {
  }
  return out.substr(0, 300);
}

Error http_error(const HttpResponse& r, const std::string& what, const RegistryAuth& auth,
                 const std::string& host) {
  std::string detail = registry_errors(r.body);
  std::string suffix =
      " (HTTP " + std::to_string(r.status) + (detail.empty() ? "" : ": " + detail) + ")";
  switch (r.status) {
    case 401:
      return Error(Errc::kAuth,
                   what + ": the registry refused " + auth.who() +
                       " (the repository may not exist, or may need a login)" + suffix,
                   0,
                   auth.has_credentials() ? "check the user name and password: dabba login " + host
                                          : "if the repository is private: dabba login " + host);
    case 403:
      return Error(Errc::kAuth, what + ": access denied to " + auth.who() + suffix);
    case 404:
      return Error(Errc::kNotFound, what + ": not found" + suffix);
    case 429:
      return Error(Errc::kNetwork,
                   what + ": too many requests, the registry rate-limits us" + suffix, 0,
                   "wait a while, or log in to get a higher limit");
    default:
      return Error(r.status >= 500 ? Errc::kNetwork : Errc::kFailed, what + ": failed" + suffix);
  }
}

}  // namespace dabba
