// The docker-credential-helpers protocol: `docker-credential-NAME get|store|erase` with the
// request on stdin and the answer on stdout.
//   get    stdin: the server ("quay.io")   stdout: {"ServerURL":..,"Username":..,"Secret":..}
//          unknown server: exit 1 and "credentials not found in native keychain"
//   store  stdin: {"ServerURL":..,"Username":..,"Secret":..}
//   erase  stdin: the server
// A Username of "<token>" means Secret is an identity token (OAuth), which dabba cannot use.
// Secrets never reach a message: errors quote the helper's stderr/stdout only when it reported
// a failure, trimmed.
#pragma once

#include <optional>
#include <string>

namespace dabba {

struct HelperCredentials {
  std::string username;
  std::string secret;
};

// nullopt when the helper has nothing for server. Throws Error naming the helper when it cannot
// run or fails otherwise.
std::optional<HelperCredentials> credential_helper_get(const std::string& helper,
                                                       const std::string& server);
void credential_helper_store(const std::string& helper, const std::string& server,
                             const std::string& username, const std::string& secret);
// false when the helper had nothing for server.
bool credential_helper_erase(const std::string& helper, const std::string& server);

}  // namespace dabba
