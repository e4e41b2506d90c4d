// The flags of `dabba run`, spelled as Docker and podman spell them, and how they and the image's
// config become a runner::Spec. Plain data and pure functions (no store, no system calls but
// reading --env-file), so the whole mapping is unit-tested.
//
// The network flags (--network, -p, --dns, --add-host) are cli/network_flags.h's: registered,
// checked and applied from here.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/network_flags.h"
#include "runner/process_config.h"
#include "runner/spec.h"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace dabba::cli {

struct RunOptions {
  // Mode.
  bool detach = false;  // -d
  bool rm = false;      // --rm
  std::string name;     // --name ("" = generated)
  // Image.
  std::string pull = "missing";  // --pull never|missing|always
  std::string platform;          // --platform os/arch[/variant]
  // Process.
  bool interactive = false;               // -i
  bool tty = false;                       // -t
  std::vector<std::string> env;           // -e K=V | -e K
  std::vector<std::string> env_files;     // --env-file
  std::optional<std::string> user;        // -u
  std::optional<std::string> workdir;     // -w
  std::optional<std::string> entrypoint;  // --entrypoint ("" clears the image's)
  std::string hostname;                   // --hostname ("" = the short id)
  bool init = false;                      // --init
  std::vector<std::string> cap_add;       // --cap-add (NAME, CAP_NAME or ALL)
  std::vector<std::string> cap_drop;      // --cap-drop
  std::vector<std::string> security_opt;  // --security-opt (security_options.h)
  bool privileged = false;                // --privileged
  // Filesystem.
  std::vector<std::string> volumes;  // -v SRC:DST[:ro]
  std::vector<std::string> tmpfs;    // --tmpfs DST[:OPTS]
  bool read_only = false;            // --read-only
  // Limits. Taken as text and parsed by us, so a bad value is dabba's own error (exit 125).
  std::string memory;         // -m, --memory
  std::string pids_limit;     // --pids-limit
  std::string cpus;           // --cpus
  std::string cgroup_parent;  // --cgroup-parent
  // Stopping.
  std::string stop_signal;   // --stop-signal ("" = the image's StopSignal, else SIGTERM)
  std::string stop_timeout;  // --stop-timeout seconds ("" = 10)
  NetworkFlags net;          // --network, -p, --dns, --add-host
  // IMAGE [COMMAND [ARG...]]: everything after the first argument that is not one of our flags.
  std::vector<std::string> rest;
};

// Registers every flag on the run subcommand. The subcommand is a prefix command: the image and
// what follows it are left unparsed in RunOptions::rest (taken by split_image_and_command).
void add_run_flags(CLI::App& app, RunOptions& options);
// A flag that may be given many times, one value each (-e A=1 -e B=2): CLI11 would otherwise let a
// vector option swallow the image and the command after it.
CLI::Option* repeatable(CLI::Option* option);

// rest -> image and command. Throws Error{kInvalidArgument} for no image, or an unknown flag
// before it (CLI11 leaves those in rest too).
void split_image_and_command(const std::vector<std::string>& rest, std::string& image,
                             std::vector<std::string>& command);

// Checks what can be checked before the store is opened, so a typo costs nothing: the name, the
// limits, the signal, volumes, the network flags. Throws Error{kInvalidArgument}.
void check_run_options(const RunOptions& options);


// The stop signal: --stop-signal, else the image's StopSignal, else SIGTERM.
int stop_signal_for(const RunOptions& options, const runner::ImageConfig& image);
// --stop-timeout, else 10.
int stop_timeout_for(const RunOptions& options);

// What build_spec needs besides the flags.
struct SpecInputs {
  std::string id;
  std::string container_dir;
  std::vector<std::string> layers;  // unpacked layer dirs, top first
  runner::ImageConfig image;
  std::vector<std::string> command;  // after IMAGE on the command line
};

// The whole Spec: argv, env, cwd, user from the image config and the flags (Docker's rules),
// hostname, /etc files, mounts, limits, network. Reads the --env-file files. Throws
// Error{kInvalidArgument} for bad flag values (and "no command specified").
runner::Spec build_spec(const RunOptions& options, const SpecInputs& in);

}  // namespace dabba::cli
