// dabba's entry point: parse the command line, enter the user namespace if the verb needs it,
// run the verb, and turn any Error into one clear message and an exit code.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/containers.h"
#include "cli/global_flags.h"
#include "common/error.h"
#include "common/log.h"
#include "common/userns.h"
#include "common/version.h"

namespace dabba::cli {
namespace {

int exit_code_for(const Error& e) {
  switch (e.code()) {
    case Errc::kInvalidArgument:
      return kExitDabbaFailed;  // podman's usage errors: 125
    case Errc::kInterrupted:
      return kExitInterrupted;
    default:
      return kExitFailure;
  }
}

int run_main(int argc, char** argv) {
  CLI::App app{"dabba: rootless containers, fast", "dabba"};
  app.require_subcommand(1);
  Globals globals;
  app.add_option("--root", globals.root_flag,
                 "store directory (default: $DABBA_ROOT, $XDG_DATA_HOME/dabba or "
                 "~/.local/share/dabba)");
  app.add_option("--log-level", globals.log_level, "error, warn, info or debug")
      ->capture_default_str();
  app.set_version_flag("-v,--version", std::string("dabba version ") + kVersion);
  add_podman_globals(app, globals);

  std::vector<Command> commands = register_commands(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);  // --help, --version
  } catch (const CLI::ParseError& e) {
    // podman's usage errors: "Error: ..." and 125, whatever CLI11 would answer.
    std::fprintf(stderr, "Error: %s\nSee 'dabba --help'\n", e.what());
    return kExitDabbaFailed;
  }

  const Command* running = nullptr;
  try {
    try {
      set_log_level(parse_log_level(globals.log_level));
    } catch (const Error& e) {
      report_error(e);
      return kExitFailure;  // podman: 1
    }
    check_podman_globals(globals);
    for (auto& cmd : commands) {
      if (!cmd.app->parsed()) continue;
      running = &cmd;
      if (cmd.needs == Needs::kUserNamespace) enter_default_user_namespace();
      return cmd.run(globals);
    }
    return kExitDabbaFailed;
  } catch (const Error& e) {
    report_error(e);
    if (running != nullptr && running->error_exit != 0 && e.code() != Errc::kInterrupted)
      return running->error_exit;
    return exit_code_for(e);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "Error: %s\n", e.what());
    return kExitFailure;
  }
}

}  // namespace
}  // namespace dabba::cli

int main(int argc, char** argv) { return dabba::cli::run_main(argc, argv); }
