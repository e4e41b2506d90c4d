// The container's environment, merged as `docker run` does: dabba's defaults, then the image's
// Env, then --env-file entries, then -e flags in order; a later entry for the same name wins.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dabba::runner {

inline constexpr const char* kDefaultPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// Looks a variable up in the caller's environment (for "-e NAME" and a bare NAME in an env file).
using HostEnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
// getenv().
std::optional<std::string> host_getenv(const std::string& name);

struct EnvFile {
  std::string path;  // for error messages
  std::string text;  // the file's content (the CLI reads it)
};

struct EnvInputs {
  std::vector<std::string> image_env;  // "K=V" from the image config
  std::vector<EnvFile> env_files;      // --env-file, in command-line order
  std::vector<std::string> env_flags;  // -e K=V | -e K, in command-line order
  std::string hostname;                // HOSTNAME
  bool tty = false;                    // (TERM=xterm is set either way, as podman)
  std::vector<std::string> host_env;   // --env-host: the caller's whole environment
  bool http_proxy = true;              // --http-proxy: the caller's proxy variables pass in
  std::vector<std::string> conf_env;   // containers.conf's env (K=V, or K: the caller's value)
  HostEnvLookup host_lookup = host_getenv;
};

// Defaults first (PATH when the image sets none, HOSTNAME, TERM, container=dabba), then
// --env-host's, then the proxy variables (--http-proxy), then containers.conf's env, then the
// image's Env, env files, -e flags (podman's order); "K" alone takes the caller's value or is dropped when the
// caller has none. HOME is left to the child (set_default(env, "HOME", home) from /etc/passwd). The
// result keeps first-seen order with later values. Throws Error{kInvalidArgument} on a malformed
// entry.
std::vector<std::string> merge_env(const EnvInputs& in);

// The entries of an env file: "K=V" taken literally (no quotes processing, as Docker), "K" alone
// resolved with lookup, blank lines and "#" comments skipped, leading spaces trimmed.
std::vector<std::string> parse_env_file(const EnvFile& file, const HostEnvLookup& lookup);

// Sets name=value in env unless name is already there. Returns true if it added it.
bool set_default(std::vector<std::string>& env, std::string_view name, std::string_view value);
// The value of name in env, if present.
std::optional<std::string> env_value(const std::vector<std::string>& env, std::string_view name);

}  // namespace dabba::runner
