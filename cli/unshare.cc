// dabba unshare [COMMAND [ARG...]]: a shell (or the command) inside dabba's user namespace, as
// `podman unshare`: uid 0 there is the caller, 1..N the subordinate ids, so the store's files can
// be read, changed and removed (`dabba unshare rm -rf ~/.local/share/dabba/...`). The environment
// gets CONTAINERS_GRAPHROOT (the store) and CONTAINERS_RUNROOT (dabba's runtime directory), as
// podman sets them. Exit status: the command's; 125 when dabba fails, 126/127 when the command
// cannot be run, as podman's.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/containers.h"
#include "common/error.h"
#include "common/userns.h"

namespace dabba::cli {

Command add_unshare(CLI::App& parent) {
  Command cmd;
  cmd.app = parent.add_subcommand("unshare", "Run a command in dabba's user namespace");
  cmd.app->prefix_command();  // the command's own flags are its own
  cmd.needs = Needs::kNothing;
  CLI::App* self = cmd.app;
  cmd.run = [self](const Globals& globals) {
    std::vector<std::string> argv = self->remaining();
    if (!argv.empty() && argv[0] == "--") argv.erase(argv.begin());
    try {
      // Both paths as the caller sees them, before the namespace changes who owns what.
      const std::string root = globals.root();
      const std::string runroot = pause_runtime_dir();
      enter_default_user_namespace();
      ::setenv("CONTAINERS_GRAPHROOT", root.c_str(), 1);
      if (!runroot.empty()) ::setenv("CONTAINERS_RUNROOT", runroot.c_str(), 1);
    } catch (const Error& e) {
      report_error(e);
      return 125;
    }
    if (argv.empty()) {
      const char* shell = std::getenv("SHELL");
      argv.push_back(shell != nullptr && *shell != '\0' ? shell : "/bin/sh");
    }
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    ::execvp(cargv[0], cargv.data());
    int err = errno;
    report_error(Error(Errc::kNotFound, "exec " + argv[0] + ": " + std::strerror(err)));
    return err == ENOENT ? 127 : 126;
  };
  return cmd;
}

}  // namespace dabba::cli
