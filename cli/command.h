// How a verb plugs into the CLI: it registers its options on a CLI11 subcommand and hands back
// the function that does the work once parsing is done (and, if it asks, once dabba is inside its
// user namespace).
#pragma once

#include <functional>
#include <string>

namespace CLI {
class App;
}

namespace dabba::cli {

struct Globals {
  std::string root_flag;  // --root, empty when not given
  std::string log_level = "warn";
  // The store root after --root / DABBA_ROOT / XDG_DATA_HOME / ~/.local/share resolution.
  std::string root() const;
};

// Where a verb needs to run. Store writers and the sandbox need dabba's user namespace; read-only
// verbs do not, and stay out of it to start faster.
enum class Needs { kNothing, kUserNamespace };

struct Command {
  CLI::App* app = nullptr;
  std::function<int(const Globals&)> run;
  Needs needs = Needs::kUserNamespace;
  // Non-zero: the exit code of any Error the verb throws (podman's 125, for the verbs that follow
  // podman's exit codes already); zero: dabba's mapping by error code.
  int error_exit = 0;
};

// podman's exit code for its own failures.
inline constexpr int kExitPodmanFailure = 125;

// Exit codes shared by verbs.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// A verb whose issue has not landed: answers "not implemented yet" with exit 2.
Command add_not_implemented(CLI::App& parent, const std::string& name, const std::string& help);

}  // namespace dabba::cli
