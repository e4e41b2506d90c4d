#include "registry/auth.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/log.h"
#include "registry/http_url.h"
#include "registry/registry_config.h"

namespace dabba {
namespace {

using nlohmann::json;

constexpr long kMinTokenLifetimeS = 60;
// Renew a little early so that a token does not expire between our check and the registry's.
constexpr long kExpiryMarginS = 10;

// The most useful line a token service put in its error body, if any.
std::string service_message(const std::string& body) {
  try {
    json doc = json::parse(body);
    for (const char* key : {"details", "error_description", "error", "message"})
      if (auto it = doc.find(key); it != doc.end() && it->is_string())
        return it->get<std::string>().substr(0, 200);
    if (auto errors = doc.find("errors"); errors != doc.end() && errors->is_array() &&
                                          !errors->empty() && (*errors)[0].contains("message"))
      return (*errors)[0]["message"].get<std::string>().substr(0, 200);
  } catch (const std::exception&) {
  }
  return {};
}

std::optional<AuthChallenge> pick_challenge(const HttpResponse& response) {
  std::optional<AuthChallenge> basic;
  for (const std::string& header : response.headers.get_all("www-authenticate")) {
    for (AuthChallenge& c : parse_www_authenticate(header)) {
      if (c.scheme == "bearer" && !c.param("realm").empty()) return std::move(c);
      if (c.scheme == "basic" && !basic) basic = std::move(c);
    }
  }
  return basic;
}

}  // namespace

TokenGrant parse_token_response(std::string_view body) {
  TokenGrant grant;
  grant.expires_in = kMinTokenLifetimeS;
  try {
    json doc = json::parse(body);
    if (auto it = doc.find("token"); it != doc.end() && it->is_string()) grant.token = *it;
    if (auto it = doc.find("access_token");
        grant.token.empty() && it != doc.end() && it->is_string())
      grant.token = *it;
    // A number in range only: a huge or fractional "expires_in" must not overflow the clock.
    if (auto it = doc.find("expires_in"); it != doc.end() && it->is_number()) {
      const double seconds = it->get<double>();
      if (seconds > kMinTokenLifetimeS)
        grant.expires_in = seconds < 86400 * 365 ? long(seconds) : 86400 * 365;
    }
  } catch (const json::exception&) {
    throw Error(Errc::kAuth, "answered with invalid JSON");
  }
  if (grant.token.empty()) throw Error(Errc::kAuth, "answered without a token");
  return grant;
}

std::string pull_scope(const std::string& repository) {
  return "repository:" + repository + ":pull";
}

std::string push_scope(const std::string& repository) {
  return "repository:" + repository + ":pull,push";
}

RegistryAuth::RegistryAuth(Options options, std::optional<Credentials> credentials,
                           HttpOptions http)
    : options_(std::move(options)), credentials_(std::move(credentials)), http_(std::move(http)) {}

std::string RegistryAuth::who() const {
  return credentials_ ? "the credentials from " + credentials_->source : "anonymous access";
}

void RegistryAuth::learn(const HttpResponse& unauthorized) {
  std::lock_guard lock(mu_);
  if (auto c = pick_challenge(unauthorized)) challenge_ = std::move(c);
}

std::string RegistryAuth::authorization(const std::string& scope) {
  std::lock_guard lock(mu_);
  if (!challenge_) return {};
  if (challenge_->scheme == "basic")
    return credentials_ ? credentials_->basic_authorization() : std::string();
  auto it = tokens_.find(scope);
  if (it != tokens_.end() && Clock::now() < it->second.expires) return it->second.authorization;
  return fetch_token(scope);
}

std::string RegistryAuth::answer(const HttpResponse& unauthorized, const std::string& scope) {
  std::lock_guard lock(mu_);
  std::optional<AuthChallenge> challenge = pick_challenge(unauthorized);
  if (!challenge) return {};
  challenge_ = std::move(challenge);
  if (challenge_->scheme == "basic")
    return credentials_ ? credentials_->basic_authorization() : std::string();
  tokens_.erase(scope);  // refused (or expired early): never offer it again
  return fetch_token(scope);
}

std::string RegistryAuth::fetch_token(const std::string& scope) {
  const std::string realm = challenge_->param("realm");
  UrlParts realm_url = parse_url(realm);  // throws for a non-http(s) realm
  const std::string endpoint_host = parse_url("http://" + options_.registry_host).host;
  const bool same_host = realm_url.host == endpoint_host;
  // A password goes over plain HTTP only to where the registry itself is allowed plain HTTP.
  if (realm_url.scheme == "http" && credentials_ &&
      !(is_loopback_registry(realm_url.host) || (same_host && options_.allow_http)))
    throw Error(Errc::kAuth,
                "registry " + options_.registry_host +
                    " sends credentials to a plain-HTTP token "
                    "service (" +
                    url_for_display(realm) + "); refusing",
                0, "use HTTPS for the token service, or mark the registry insecure");

  std::string url = realm + (realm.find('?') == std::string::npos ? "?" : "&");
  std::string service = challenge_->param("service");
  url += "service=" + url_encode(service);
  std::string challenged_scope = challenge_->param("scope");
  std::vector<std::string> scopes;
  for (size_t start = 0; start < scope.size();) {
    size_t space = scope.find(' ', start);
    if (space == std::string::npos) space = scope.size();
    if (space > start) scopes.push_back(scope.substr(start, space - start));
    start = space + 1;
  }
  for (const std::string& s : scopes) url += "&scope=" + url_encode(s);
  if (!challenged_scope.empty() &&
      std::find(scopes.begin(), scopes.end(), challenged_scope) == scopes.end())
    url += "&scope=" + url_encode(challenged_scope);

  HttpRequest request;
  request.url = url;
  request.headers.push_back("Accept: application/json");
  if (credentials_) request.authorization = credentials_->basic_authorization();
  request.tls_verify = options_.tls_verify || !same_host;
  if (same_host) request.tls = options_.tls;
  request.max_body = 1 << 20;
  log_debug("token for " + (scope.empty() ? std::string("registry") : scope) + " from " +
            url_for_display(realm) + " (" + who() + ")");
  HttpResponse response = with_context("registry " + options_.registry_host + ": token service",
                                       [&] { return http_.send(request); });
  if (!response.ok()) {
    std::string detail = service_message(response.body);
    std::string what =
        "registry " + options_.registry_host + ": the token service at " + url_for_display(realm) +
        " refused " + who() + (scope.empty() ? "" : " for " + scope) + " (HTTP " +
        std::to_string(response.status) + (detail.empty() ? "" : ": " + detail) + ")";
    if (response.status == 401 || response.status == 403)
      throw Error(Errc::kAuth, what, 0,
                  credentials_
                      ? "check the user name and password: dabba login " + options_.registry_host
                      : "log in first: dabba login " + options_.registry_host);
    throw Error(Errc::kNetwork, what);
  }
  TokenGrant grant;
  try {
    grant = parse_token_response(response.body);
  } catch (const Error& e) {
    throw Error(Errc::kAuth, "registry " + options_.registry_host + ": the token service at " +
                                 url_for_display(realm) + " " + e.what());
  }
  ++tokens_fetched_;
  Token& cached = tokens_[scope];
  cached.authorization = "Bearer " + grant.token;
  cached.expires = Clock::now() + std::chrono::seconds(grant.expires_in - kExpiryMarginS);
  return cached.authorization;
}

}  // namespace dabba
