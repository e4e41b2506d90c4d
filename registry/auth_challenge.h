// WWW-Authenticate parsing (RFC 7235): `Bearer realm="https://auth.example/token",
// service="registry.example",scope="repository:a/b:pull"` and `Basic realm="Registry"`, tolerant
// of unquoted values, stray spaces and commas, escapes inside quotes and several challenges in
// one header.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace dabba {

struct AuthChallenge {
  std::string scheme;                         // lowercase: "bearer", "basic"
  std::map<std::string, std::string> params;  // names lowercase, values unquoted

  std::string param(const std::string& name) const {
    auto it = params.find(name);
    return it == params.end() ? std::string() : it->second;
  }
};

std::vector<AuthChallenge> parse_www_authenticate(std::string_view header);

}  // namespace dabba
