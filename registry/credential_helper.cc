#include "registry/credential_helper.h"

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/subprocess.h"

namespace dabba {
namespace {

using nlohmann::json;

bool not_found(const CommandResult& r) {
  return (r.out + r.err).find("credentials not found") != std::string::npos;
}

std::string program(const std::string& helper) { return "docker-credential-" + helper; }

CommandResult run(const std::string& helper, const char* verb, const std::string& input) {
  const std::string prog = program(helper);
  if (find_program(prog).empty())
    throw Error(Errc::kNotFound, "credential helper " + prog + " is not installed (not in PATH)",
                0, "install it, or remove it from credHelpers/credsStore in the auth file");
  return run_command({prog, verb}, input);
}

// The helper's own words about a failure (never our input, which may hold a secret).
std::string failure(const CommandResult& r) {
  std::string text = r.err.empty() ? r.out : r.err;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text.substr(0, 200);
}

}  // namespace

std::optional<HelperCredentials> credential_helper_get(const std::string& helper,
                                                       const std::string& server) {
  CommandResult r = run(helper, "get", server);
  if (!r.status.exited() || r.status.code() != 0) {
    if (not_found(r)) return std::nullopt;
    throw Error(Errc::kAuth, program(helper) + " get " + server + ": " + r.status.describe() +
                                 (failure(r).empty() ? "" : ": " + failure(r)));
  }
  try {
    json doc = json::parse(r.out);
    HelperCredentials c;
    c.username = doc.value("Username", "");
    c.secret = doc.value("Secret", "");
    if (c.username == "<token>")
      throw Error(Errc::kUnsupported, program(helper) + " holds an identity token for " + server +
                                          ", which dabba cannot use", 0,
                  "log in with a user name and password: dabba login " + server);
    if (c.username.empty() && c.secret.empty()) return std::nullopt;
    return c;
  } catch (const json::exception&) {
    throw Error(Errc::kAuth, program(helper) + " get " + server + ": the answer is not JSON");
  }
}

void credential_helper_store(const std::string& helper, const std::string& server,
                             const std::string& username, const std::string& secret) {
  json req = {{"ServerURL", server}, {"Username", username}, {"Secret", secret}};
  CommandResult r = run(helper, "store", req.dump());
  if (!r.status.exited() || r.status.code() != 0)
    throw Error(Errc::kFailed, program(helper) + " store " + server + ": " + r.status.describe() +
                                   (failure(r).empty() ? "" : ": " + failure(r)));
}

bool credential_helper_erase(const std::string& helper, const std::string& server) {
  CommandResult r = run(helper, "erase", server);
  if (r.status.exited() && r.status.code() == 0) return true;
  if (not_found(r)) return false;
  throw Error(Errc::kFailed, program(helper) + " erase " + server + ": " + r.status.describe() +
                                 (failure(r).empty() ? "" : ": " + failure(r)));
}

}  // namespace dabba
