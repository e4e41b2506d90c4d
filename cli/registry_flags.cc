#include "cli/registry_flags.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include "common/error.h"
#include "common/fs.h"
#include "common/unique_fd.h"

namespace dabba::cli {

std::optional<bool> RegistryFlags::tls_verify_given() const {
  if (tls_verify_option == nullptr || tls_verify_option->count() == 0) return std::nullopt;
  return tls_verify;
}

void register_registry_flags(CLI::App& app, RegistryFlags& flags, bool with_creds) {
  flags.tls_verify_option =
      app.add_flag("--tls-verify", flags.tls_verify,
                   "require HTTPS and verify certificates (--tls-verify=false: plain HTTP or an "
                   "unverified certificate; default: registries.conf's insecure setting)");
  app.add_option("--cert-dir", flags.cert_dir,
                 "directory of CA (*.crt) and client certificates (*.cert, *.key) to use")
      ->type_name("DIR");
  app.add_option("--authfile", flags.authfile,
                 "auth file (default: $REGISTRY_AUTH_FILE or "
                 "${XDG_RUNTIME_DIR}/containers/auth.json)")
      ->type_name("FILE");
  if (with_creds)
    app.add_option("--creds", flags.creds, "credentials for this command: USER[:PASSWORD]")
        ->type_name("USER[:PASS]");
}

Credentials parse_creds(const std::string& creds) {
  if (creds.empty() || creds.front() == ':')
    throw Error(Errc::kInvalidArgument, "--creds needs a user name: USER[:PASSWORD]");
  Credentials c;
  c.source = "--creds";
  size_t colon = creds.find(':');
  c.username = creds.substr(0, colon);
  c.password = colon == std::string::npos ? prompt_line("Password", false) : creds.substr(colon + 1);
  return c;
}

void apply_registry_flags(const RegistryFlags& flags, RegistryClientOptions& options,
                          bool authfile_must_exist) {
  options.config.set_tls_verify(flags.tls_verify_given());
  if (!flags.cert_dir.empty()) options.config.set_cert_dir(flags.cert_dir);
  if (!flags.authfile.empty()) {
    if (authfile_must_exist && !path_exists(flags.authfile))
      throw Error(Errc::kInvalidArgument,
                  "checking authfile: stat " + flags.authfile + ": no such file or directory");
    options.credentials = CredentialStore(CredentialStore::default_paths(flags.authfile));
  }
  if (!flags.creds.empty()) options.fixed_credentials = parse_creds(flags.creds);
}

std::string prompt_line(const std::string& text, bool echo) {
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
  while (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace dabba::cli
