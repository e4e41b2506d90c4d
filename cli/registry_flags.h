// The registry flags pull, push and login share, spelled as podman spells them:
//   --tls-verify[=false]  require HTTPS and verify certificates (podman's default: true); =false
//                         allows plain HTTP and unverified certificates for this command
//   --cert-dir DIR        CA (*.crt) and client certificates (*.cert/*.key) instead of certs.d
//   --authfile FILE       the auth file (else $REGISTRY_AUTH_FILE, else podman's default)
//   --creds USER[:PASS]   credentials for this command only (pull, push)
#pragma once

#include <string>

#include "cli/cli11_fwd.h"
#include "registry/registry_client.h"

namespace dabba::cli {

struct RegistryFlags {
  bool tls_verify = true;
  CLI::Option* tls_verify_option = nullptr;  // tells a given --tls-verify from the default
  std::string cert_dir;
  std::string authfile;
  std::string creds;

  // nullopt when --tls-verify was not given (registries.conf decides).
  std::optional<bool> tls_verify_given() const;
};

// with_creds: also --creds.
void register_registry_flags(CLI::App& app, RegistryFlags& flags, bool with_creds);

// Applies the flags to options (config, credentials). Throws Error{kInvalidArgument} for an
// --authfile that does not exist (as podman checks it) or empty --creds.
void apply_registry_flags(const RegistryFlags& flags, RegistryClientOptions& options,
                          bool authfile_must_exist = true);

// "user:pass" or "user" (the password then asked on the terminal).
Credentials parse_creds(const std::string& creds);

// Reads one line from the terminal (/dev/tty), echoing it or not.
std::string prompt_line(const std::string& text, bool echo);

}  // namespace dabba::cli
