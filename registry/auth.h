// Answers a registry's authentication challenges and caches the result.
//
// Bearer (the Docker token flow): GET <realm>?service=<service>&scope=<scope>, anonymously or
// with Basic credentials; the answer's "token" (or "access_token") is sent as "Bearer <token>"
// until "expires_in" seconds (default and minimum 60) have passed, cached per scope.
// Basic: "Basic base64(user:password)" for every request once the registry asked for it.
//
// One RegistryAuth per registry endpoint; thread-safe (parallel uploads share it, and a token
// is fetched once for all of them).
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "registry/auth_challenge.h"
#include "registry/credentials.h"
#include "registry/http.h"
#include "registry/http_client.h"

namespace dabba {

// "repository:library/alpine:pull"
std::string pull_scope(const std::string& repository);
// "repository:library/alpine:pull,push"
std::string push_scope(const std::string& repository);
// A scope may hold several, separated by spaces ("repository:a:pull,push repository:b:pull"):
// each goes to the token service as its own scope parameter.

// A token service's answer: "token" (or "access_token") and "expires_in" seconds (60 when absent,
// at least 60). Throws Error{kAuth} "answered with invalid JSON" / "answered without a token"
// (the caller names the service).
struct TokenGrant {
  std::string token;
  long expires_in = 60;
};
TokenGrant parse_token_response(std::string_view body);

class RegistryAuth {
 public:
  struct Options {
    std::string registry_host;  // host[:port] of the endpoint, for messages and realm checks
    bool allow_http = false;    // the endpoint may use plain HTTP (loopback / insecure)
    bool tls_verify = true;     // the endpoint's TLS setting (applies to a realm on the same host)
    std::shared_ptr<const TlsConfig> tls;  // its certs.d files (likewise)
  };
  RegistryAuth(Options options, std::optional<Credentials> credentials, HttpOptions http);

  // The Authorization header to send for scope now, "" when none is known or needed yet. Fetches
  // a token ahead of the first request when a ping already told us the realm.
  std::string authorization(const std::string& scope);
  // Answers a 401 for scope: returns the Authorization to retry with, or "" when there is no
  // answer (no challenge, or Basic without credentials). Throws Error{kAuth} when the token
  // service refuses, Error{kNetwork} when it cannot be reached.
  std::string answer(const HttpResponse& unauthorized, const std::string& scope);
  // Remembers the challenge of a ping's 401 without answering it.
  void learn(const HttpResponse& unauthorized);

  bool has_credentials() const { return credentials_.has_value(); }
  // "the credentials from FILE" or "anonymous access", for messages.
  std::string who() const;
  // Tokens fetched so far (for tests of the cache).
  int tokens_fetched() const {
    std::lock_guard lock(mu_);
    return tokens_fetched_;
  }

 private:
  using Clock = std::chrono::steady_clock;
  struct Token {
    std::string authorization;
    Clock::time_point expires;
  };
  std::string fetch_token(const std::string& scope);

  mutable std::mutex mu_;
  Options options_;
  std::optional<Credentials> credentials_;
  HttpClient http_;
  std::optional<AuthChallenge> challenge_;
  std::map<std::string, Token> tokens_;
  int tokens_fetched_ = 0;
};

}  // namespace dabba
