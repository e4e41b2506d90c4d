// dabba attach [--detach-keys=KEYS] [--no-stdin] [--sig-proxy] [-l] CONTAINER
//
// podman-attach(1): this terminal joins a running container: its output (stdout and stderr, or
// its pty's) appears here as it comes, what we type goes to its stdin when it has -i (raw
// terminal with -t, window size changes passed on), the detach keys (default ctrl-p,ctrl-q; ""
// none) leave it running and exit 0, and its exit ends the attach, exit 0 as podman 4.3's (the
// code is in the container's record: wait, inspect). The
// container's owner serves us (runner/attach_server.h); this process only connects, so it needs
// no user namespace.
#include <CLI/CLI.hpp>
#include <memory>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/container_attach.h"
#include "cli/containers.h"
#include "common/error.h"
#include "common/exit_codes.h"
#include "runner/attach_client.h"
#include "runner/detach_keys.h"
#include "store/store.h"

namespace dabba::cli {

int attach_running(const ContainerView& view, const AttachFlags& flags) {
  if (!view.running) throw Error(Errc::kConflict, "you can only attach to running containers");
  runner::AttachClientOptions options;
  try {
    options.detach_keys = runner::parse_detach_keys(flags.detach_keys);
  } catch (const Error& e) {
    throw Error(Errc::kInvalidArgument,
                "attaching to container " + view.record.id + ": " + e.what(), 0, e.hint());
  }
  options.stdin_wanted = !flags.no_stdin;
  options.sig_proxy = flags.sig_proxy;
  runner::AttachOutcome outcome;
  try {
    outcome = runner::attach_client(view.dir, options);
  } catch (const Error& e) {
    // Nobody listens: it stopped meanwhile, or an older dabba's supervisor owns it.
    throw Error(Errc::kConflict,
                "you can only attach to running containers: " + std::string(e.what()), 0,
                "a container started by an older dabba cannot be attached to; logs -f follows it");
  }
  // Detached, the container exited (podman 4.3 answers 0 whatever its code), or the owner let us
  // go (it died, or we were too slow to follow): 0. A signal that ended the attach itself
  // (--sig-proxy=false): 128+N, as for any process it kills.
  if (outcome.signal) return 128 + outcome.signal;
  return kExitOk;
}

Command add_attach(CLI::App& parent) {
  struct Args {
    AttachFlags flags;
    bool latest = false;
    std::vector<std::string> names;
  };
  auto args = std::make_shared<Args>();
  Command cmd = podman_verb(parent, "attach", "Attach to a running container", Needs::kNothing);
  cmd.app->add_option("--detach-keys", args->flags.detach_keys,
                      "keys that detach, leaving the container running (default ctrl-p,ctrl-q; "
                      "\"\" none)");
  cmd.app->add_flag("--no-stdin", args->flags.no_stdin, "do not pass our stdin in");
  cmd.app->add_flag("--sig-proxy", args->flags.sig_proxy,
                    "pass the signals we get to the container (without -t; default true)");
  cmd.app->add_flag("-l,--latest", args->latest, "the newest container");
  cmd.app->add_option("container", args->names, "container name or id");
  cmd.run = [args](const Globals& globals) {
    // podman's usage errors, word for word.
    if (args->names.size() > 1)
      throw Error(Errc::kInvalidArgument, "`dabba attach` accepts at most one argument");
    if (args->latest && !args->names.empty())
      throw Error(Errc::kInvalidArgument, "--latest and containers cannot be used together");
    if (!args->latest && args->names.empty())
      throw Error(Errc::kInvalidArgument,
                  "\"dabba attach\" requires a name, id, or the \"--latest\" flag");
    ContainerView v;
    {
      Store store = Store::open(globals.root());
      v = view_container(
          store, args->latest ? latest_container(store) : find_container(store, args->names[0]));
    }
    return attach_running(v, args->flags);
  };
  return cmd;
}

}  // namespace dabba::cli
