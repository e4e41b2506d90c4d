// dabba login [-u USER] [-p PASS | --password-stdin] [--get-login] [--authfile FILE]
//             [--tls-verify[=false]] [--cert-dir DIR] [-v] [REGISTRY[/NAMESPACE]]
// dabba logout [--authfile FILE] [--all | REGISTRY[/NAMESPACE]]
//
// As podman: login checks the credentials with the registry before it saves them in podman's
// auth file (${XDG_RUNTIME_DIR}/containers/auth.json, or --authfile / $REGISTRY_AUTH_FILE), or
// in the credential helper that file names; so podman, buildah and skopeo see the login, and
// dabba sees theirs. Neither verb ever prints a password.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <memory>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/registry_flags.h"
#include "common/error.h"
#include "registry/credentials.h"
#include "registry/registry_config.h"
#include "registry/registry_login.h"

namespace dabba::cli {
namespace {

std::string strip_newline(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

// The auth file key for the argument: "host[:port][/namespace]", docker.io for Docker Hub's
// spellings; with no argument, the first unqualified-search registry (as podman).
std::string key_of(const std::string& arg, const RegistryConfig& config) {
  if (arg.empty()) {
    const auto& search = config.conf().search_registries();
    if (search.empty())
      throw Error(Errc::kInvalidArgument,
                  "no registries found in registries.conf, a registry must be provided");
    return normalize_auth_key(search.front());
  }
  return normalize_auth_key(arg);
}

std::string host_of(const std::string& key) { return key.substr(0, key.find('/')); }

}  // namespace

Command add_login(CLI::App& parent) {
  struct Args {
    std::string username;
    std::string password;
    bool password_stdin = false;
    bool get_login = false;
    bool verbose = false;
    RegistryFlags registry;
    std::string target;
  };
  auto args = std::make_shared<Args>();
  Command cmd;
  cmd.app = parent.add_subcommand("login", "Log in to a registry (checked before it is saved)");
  cmd.error_exit = kExitDabbaFailed;  // podman's: any failure is 125
  CLI::App& app = *cmd.app;
  app.add_option("-u,--username", args->username, "user name (asked when not given)");
  app.add_option("-p,--password", args->password, "password (asked when not given)");
  app.add_flag("--password-stdin", args->password_stdin, "read the password from stdin");
  app.add_flag("--get-login", args->get_login, "print the user name logged in to REGISTRY");
  app.add_flag("-v,--verbose", args->verbose, "say which auth file is used");
  register_registry_flags(app, args->registry, false);
  app.add_option("registry", args->target,
                 "REGISTRY[/NAMESPACE] (default: the first unqualified-search registry)");
  cmd.needs = Needs::kNothing;
  cmd.run = [args](const Globals&) {
    RegistryClientOptions options;
    options.config = RegistryConfig::load_default();
    apply_registry_flags(args->registry, options, false);
    const std::string key = key_of(args->target, options.config);
    const CredentialStore& store = *options.credentials;
    if (args->verbose) std::printf("Used:  %s\n", store.paths().primary.c_str());

    if (args->get_login) {
      auto have = store.find_primary(key);
      if (!have) throw Error(Errc::kNotFound, "not logged into " + key);
      std::printf("%s\n", have->username.c_str());
      return kExitOk;
    }
    if (!args->password.empty() && args->password_stdin)
      throw Error(Errc::kInvalidArgument, "Can't specify both --password-stdin and --password");
    if (args->password_stdin && args->username.empty())
      throw Error(Errc::kInvalidArgument, "Must provide --username with --password-stdin");

    // No new credentials given: check the saved ones first, as podman does.
    if (args->username.empty() && args->password.empty() && !args->password_stdin) {
      if (auto have = store.find_primary(key)) {
        std::printf("Authenticating with existing credentials for %s\n", key.c_str());
        try {
          verify_login(host_of(key), *have, options.config, options.http);
          std::printf("Existing credentials are valid. Already logged in to %s\n", key.c_str());
          return kExitOk;
        } catch (const Error& e) {
          if (e.code() != Errc::kAuth) throw;
          std::printf("Existing credentials are invalid, please enter valid username and "
                      "password\n");
        }
      }
    }
    std::string user = args->username;
    std::string password = args->password;
    if (args->password_stdin) {
      password = strip_newline(std::string(std::istreambuf_iterator<char>(std::cin), {}));
    } else {
      if (user.empty()) user = prompt_line("Username", true);
      if (password.empty()) password = prompt_line("Password", false);
    }
    if (user.empty()) throw Error(Errc::kInvalidArgument, "the user name is empty");
    if (password.empty()) throw Error(Errc::kInvalidArgument, "the password is empty");

    Credentials credentials{user, password, "the command line"};
    with_context("logging into \"" + key + "\"", [&] {
      verify_login(host_of(key), credentials, options.config, options.http);
    });
    store.save(key, user, password);
    std::printf("Login Succeeded!\n");
    return kExitOk;
  };
  return cmd;
}

Command add_logout(CLI::App& parent) {
  struct Args {
    bool all = false;
    std::string authfile;
    std::string target;
  };
  auto args = std::make_shared<Args>();
  Command cmd;
  cmd.app = parent.add_subcommand("logout", "Remove the saved login for a registry");
  cmd.error_exit = kExitDabbaFailed;  // podman's: any failure is 125
  cmd.app->add_flag("-a,--all", args->all, "remove the logins of every registry");
  cmd.app->add_option("--authfile", args->authfile, "auth file (default: podman's)")
      ->type_name("FILE");
  cmd.app->add_option("registry", args->target, "REGISTRY[/NAMESPACE]");
  cmd.needs = Needs::kNothing;
  cmd.run = [args](const Globals&) {
    CredentialStore store(CredentialStore::default_paths(args->authfile));
    if (args->all) {
      store.remove_all();
      std::printf("Removed login credentials for all registries\n");
      return kExitOk;
    }
    std::string key;
    if (args->target.empty()) {
      key = key_of("", RegistryConfig::load_default());
    } else {
      key = normalize_auth_key(args->target);
    }
    if (!store.remove(key)) {
      std::vector<std::string> others = store.other_sources(key);
      if (!others.empty())
        throw Error(Errc::kNotFound,
                    "Not logged into " + key + " with dabba. Existing credentials were "
                    "established via docker login or in " + others.front() +
                    ". Please use docker logout instead.");
      throw Error(Errc::kNotFound, "not logged into " + key);
    }
    std::printf("Removed login credentials for %s\n", key.c_str());
    return kExitOk;
  };
  return cmd;
}

}  // namespace dabba::cli
