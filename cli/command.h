// How a verb plugs into the CLI: it registers its options on a CLI11 subcommand and hands back
// the function that does the work once parsing is done (and, if it asks, once dabba is inside its
// user namespace).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "cli/cli11_fwd.h"
#include "common/exit_codes.h"

namespace dabba::cli {

struct Globals {
  std::string root_flag;  // --root, empty when not given
  std::string log_level = "warn";
  // podman's globals that scripts pass (docs/compatibility.md, "Global flags"): kept so a verb
  // that has a use for one can read it; most mean nothing to dabba and are only accepted.
  std::string runroot;                     // --runroot
  std::string storage_driver;              // --storage-driver (overlay; vfs accepted, see main.cc)
  bool noout = false;                      // --noout: stdout goes to /dev/null
  bool remote = false;                     // --remote: refused (dabba has no remote mode)
  std::string remote_target;               // --url/--connection: refused as --remote
  std::string volume_path;  // --volumepath: exported as $DABBA_VOLUME_PATH (store_options.h)
  std::vector<std::string> runtime_flags;  // --runtime-flag, checked when a container starts
  std::string runtime;                     // --runtime: new containers record it (inspect)
  // The store root after --root / DABBA_ROOT / XDG_DATA_HOME / ~/.local/share resolution.
  std::string root() const;
};

// Where a verb needs to run. Store writers and the sandbox need dabba's user namespace; read-only
// verbs do not, and stay out of it to start faster.
enum class Needs { kNothing, kUserNamespace };

// A flag that may be given many times, one value each (-e A=1 -e B=2, -p 80 -p 443): CLI11 would
// otherwise let a vector option of a prefix command swallow the image and the command after it.
CLI::Option* repeatable(CLI::Option* option);

struct Command {
  CLI::App* app = nullptr;
  std::function<int(const Globals&)> run;
  Needs needs = Needs::kUserNamespace;
  // Non-zero: the exit code of any Error the verb throws (podman's 125, for the verbs that follow
  // podman's exit codes already); zero: dabba's mapping by error code.
  int error_exit = 0;
};

// The usual verb: a CLI11 subcommand of parent, run where needs says, and podman's exit code 125
// for any Error it throws. The caller adds the options and the run function.
Command podman_verb(CLI::App& parent, const std::string& name, const std::string& description,
                    Needs needs);

}  // namespace dabba::cli
