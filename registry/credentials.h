// Registry credentials from the auth files people already have, and dabba's own.
//
// Lookup order (the first file with an entry for the registry wins):
//   1. dabba's own file, written by `dabba login` (0600):
//        $XDG_CONFIG_HOME/dabba/auth.json, else ~/.config/dabba/auth.json
//   2. podman's:  $XDG_RUNTIME_DIR/containers/auth.json
//   3. docker's:  $DOCKER_CONFIG/config.json, else ~/.docker/config.json
// Each is {"auths": {"<key>": {"auth": base64("user:password")}}}. Keys are a registry host
// ("quay.io", "localhost:5000"), optionally with a namespace ("quay.io/team", the most specific
// match wins within a file), or a URL ("https://index.docker.io/v1/", whose host counts).
// docker.io, index.docker.io and registry-1.docker.io are one registry. Credential helpers
// (credsStore, credHelpers) are not run.
//
// A Credentials value is never printed or logged: it has no operator<<, and errors about it
// name the file it came from, never its content.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dabba {

struct Credentials {
  std::string username;
  std::string password;
  std::string source;  // the file it came from, for messages

  // "Basic base64(username:password)".
  std::string basic_authorization() const;
};

class CredentialStore {
 public:
  struct Paths {
    std::string dabba;   // written by login/logout
    std::string podman;  // read only
    std::string docker;  // read only
  };
  // The paths above, from the environment.
  static Paths default_paths();

  explicit CredentialStore(Paths paths) : paths_(std::move(paths)) {}
  CredentialStore() : CredentialStore(default_paths()) {}

  // Credentials for repository (may be empty) on registry ("docker.io", "host:port").
  // Throws Error{kCorrupt} naming a file that is not valid JSON.
  std::optional<Credentials> find(std::string_view registry,
                                  std::string_view repository = {}) const;
  // Writes user/password for registry into dabba's file (created 0600, directory 0700).
  void save(std::string_view registry, const std::string& username,
            const std::string& password) const;
  // Drops registry from dabba's file; false if it was not there.
  bool remove(std::string_view registry) const;
  // The other files that still hold credentials for registry (after a logout, say).
  std::vector<std::string> other_sources(std::string_view registry) const;

  const Paths& paths() const { return paths_; }

 private:
  Paths paths_;
};

// The registry part of an auths key: "https://index.docker.io/v1/" -> "docker.io",
// "quay.io/team" -> "quay.io/team", "Localhost:5000" -> "localhost:5000".
std::string normalize_auth_key(std::string_view key);

std::string base64_encode(std::string_view data);
// Throws Error{kCorrupt} (without the input in the message) when data is not base64.
std::string base64_decode(std::string_view data);

}  // namespace dabba
