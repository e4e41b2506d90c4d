// dabba login [-u USER] [--password-stdin] [--tls-verify=false] [REGISTRY]
// dabba logout [REGISTRY]
//
// login checks the credentials with the registry before it saves them (0600, in dabba's own
// auth file); logout removes them from there. Neither ever prints a password.
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <memory>

#include "cli/command.h"
#include "cli/commands.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/unique_fd.h"
#include "oci/image_ref.h"
#include "registry/credentials.h"
#include "registry/registry_config.h"
#include "registry/registry_login.h"

namespace dabba::cli {
namespace {

std::string strip_newline(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

// Reads one line from the terminal, echoing it or not.
std::string prompt(const std::string& text, bool echo) {
  int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    throw Error(Errc::kInvalidArgument, "no terminal to ask for the " + text, 0,
                "give -u USER and pipe the password with --password-stdin");
  UniqueFd tty(fd);
  write_all(tty.get(), text + ": ");
  termios saved{};
  bool restore = false;
  if (!echo && ::tcgetattr(tty.get(), &saved) == 0) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    restore = ::tcsetattr(tty.get(), TCSAFLUSH, &quiet) == 0;
  }
  std::string line;
  char c;
  while (::read(tty.get(), &c, 1) == 1 && c != '\n') line += c;
  if (restore) {
    ::tcsetattr(tty.get(), TCSAFLUSH, &saved);
    write_all(tty.get(), "\n");
  }
  return strip_newline(line);
}

std::string registry_of(const std::string& arg) {
  if (arg.empty()) return "docker.io";
  return canonical_registry(normalize_auth_key(arg));
}

}  // namespace

Command add_login(CLI::App& parent) {
  struct Args {
    std::string username;
    bool password_stdin = false;
    bool tls_verify = true;
    std::string registry;
  };
  auto args = std::make_shared<Args>();
  Command cmd;
  cmd.app = parent.add_subcommand("login", "Log in to a registry (checked before it is saved)");
  cmd.app->add_option("-u,--username", args->username, "user name (asked when not given)");
  cmd.app->add_flag("--password-stdin", args->password_stdin, "read the password from stdin");
  cmd.app
      ->add_flag("--tls-verify", args->tls_verify,
                 "verify TLS (--tls-verify=false: plain HTTP or an unverified certificate)")
      ->capture_default_str();
  cmd.app->add_option("registry", args->registry, "registry host[:port] (default docker.io)");
  cmd.needs = Needs::kNothing;
  cmd.run = [args](const Globals&) {
    const std::string registry = registry_of(args->registry);
    std::string user = args->username;
    std::string password;
    if (args->password_stdin) {
      if (user.empty())
        throw Error(Errc::kInvalidArgument, "--password-stdin needs the user name (-u USER)");
      password = strip_newline(std::string(std::istreambuf_iterator<char>(std::cin), {}));
    } else {
      if (user.empty()) user = prompt("Username", true);
      password = prompt("Password", false);
    }
    if (user.empty()) throw Error(Errc::kInvalidArgument, "the user name is empty");
    if (password.empty()) throw Error(Errc::kInvalidArgument, "the password is empty");

    RegistryConfig config = RegistryConfig::load(RegistryConfig::default_path());
    if (!args->tls_verify) config.set_insecure(registry);
    CredentialStore store;
    Credentials credentials{user, password, "the command line"};
    LoginCheck check = with_context("log in to " + registry, [&] {
      return verify_login(registry, credentials, config, HttpOptions{});
    });
    store.save(registry, user, password);
    if (!check.needs_auth)
      std::fprintf(stderr,
                   "dabba: note: %s accepts anonymous requests; the credentials were "
                   "saved without being checked\n",
                   registry.c_str());
    std::printf("Login Succeeded (%s, saved in %s)\n", registry.c_str(),
                store.paths().dabba.c_str());
    return kExitOk;
  };
  return cmd;
}

Command add_logout(CLI::App& parent) {
  auto registry_arg = std::make_shared<std::string>();
  Command cmd;
  cmd.app = parent.add_subcommand("logout", "Remove the saved login for a registry");
  cmd.app->add_option("registry", *registry_arg, "registry host[:port] (default docker.io)");
  cmd.needs = Needs::kNothing;
  cmd.run = [registry_arg](const Globals&) {
    const std::string registry = registry_of(*registry_arg);
    CredentialStore store;
    bool removed = store.remove(registry);
    for (const auto& other : store.other_sources(registry))
      std::fprintf(stderr,
                   "dabba: note: %s still holds credentials for %s (dabba reads it, never "
                   "changes it)\n",
                   other.c_str(), registry.c_str());
    if (!removed)
      throw Error(Errc::kNotFound,
                  "not logged in to " + registry + " (in " + store.paths().dabba + ")");
    std::printf("Removed login credentials for %s\n", registry.c_str());
    return kExitOk;
  };
  return cmd;
}

}  // namespace dabba::cli
