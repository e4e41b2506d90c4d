// Registry credentials where podman, buildah and skopeo keep them (containers-auth.json(5)), and
// Docker's.
//
// Lookup order (the first file with an entry for the registry wins):
//   1. the primary file, read and written by login/logout: --authfile, else $REGISTRY_AUTH_FILE,
//      else $XDG_RUNTIME_DIR/containers/auth.json (else /run/containers/UID/auth.json)
//   2. $XDG_CONFIG_HOME/containers/auth.json (else ~/.config/containers/auth.json)
//   3. $DOCKER_CONFIG/config.json, else ~/.docker/config.json
//   4. ~/.dockercfg (Docker's legacy format: the "auths" object without its wrapper)
// In each file: a credential helper named for the registry in "credHelpers" (the
// docker-credential-NAME protocol, credential_helper.h), else an "auths" entry, else the file's
// "credsStore" helper. "auths" keys are a registry ("quay.io", "localhost:5000"), optionally with
// a namespace ("quay.io/team": the most specific match wins within a file), or a URL
// ("https://index.docker.io/v1/", whose host counts). docker.io, index.docker.io and
// registry-1.docker.io are one registry.
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
  std::string source;  // the file (or helper) it came from, for messages

  // "Basic base64(username:password)".
  std::string basic_authorization() const;
};

class CredentialStore {
 public:
  struct Paths {
    std::string primary;                 // read and written
    std::vector<std::string> read_only;  // then these, in order (JSON with "auths")
    std::string dockercfg;               // ~/.dockercfg, legacy format
  };
  // The paths above from the environment; authfile (--authfile) replaces the primary file.
  static Paths default_paths(const std::string& authfile = "");

  explicit CredentialStore(Paths paths) : paths_(std::move(paths)) {}
  CredentialStore() : CredentialStore(default_paths()) {}

  // Credentials for repository (may be empty) on registry ("docker.io", "host:port").
  // Throws Error{kCorrupt} naming a file that is not valid JSON.
  std::optional<Credentials> find(std::string_view registry,
                                  std::string_view repository = {}) const;
  // The credentials the primary file (or its helper) holds for key exactly ("quay.io",
  // "quay.io/team"), for `login --get-login` and re-using a login.
  std::optional<Credentials> find_primary(std::string_view key) const;
  // Saves user/password for key ("host[:port][/namespace]") in the primary file (created 0600,
  // directory 0700), or in its credential helper when the file names one for that registry.
  void save(std::string_view key, const std::string& username, const std::string& password) const;
  // Drops key from the primary file (and its helper); false if it was not there.
  bool remove(std::string_view key) const;
  // Drops every login of the primary file (and erases them from its helpers).
  void remove_all() const;
  // The other files that still hold credentials for key (after a logout, say).
  std::vector<std::string> other_sources(std::string_view key) const;

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
