// dabba run [FLAGS] IMAGE [COMMAND [ARG...]]
//
// The run path, in order (kept lean: `dabba run --rm IMAGE true` is benchmarked against podman):
//   1. parse and check the flags (no store, no namespace: a typo costs nothing);
//   2. enter dabba's user namespace (single-threaded, before anything else);
//   3. open the store; find the image (a stored image needs no registry config, no network) or
//      pull it per --pull; read and parse its config once;
//   4. pick the id and the name; build the Spec; record the container (pins image and layers)
//      and, but with --rm, save the Spec for a later `start` (cli/new_container.h, shared with
//      `create`);
//   5. foreground: the runner starts it, records it running, relays signals/terminal, waits,
//      records the exit, and (--rm) we remove the record and the directory; -d: the same in the
//      runner's supervisor, and we print the id once the workload exec'd.
// Exit codes as Docker's: the container's own (128+N for signal N); 125 when dabba fails, 126 when
// the command cannot be executed, 127 when it is not found.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/container_start.h"
#include "cli/containers.h"
#include "cli/global_flags.h"
#include "cli/new_container.h"
#include "cli/preserve_fds.h"
#include "cli/run_options.h"
#include "common/error.h"
#include "common/log.h"
#include "common/text.h"
#include "common/userns.h"
#include "runner/container.h"
#include "runner/detach_keys.h"
#include "store/store.h"

namespace dabba::cli {
namespace {

int run_container(const Globals& globals, const RunOptions& o, int preserve_fds) {
  if (o.flags.tty && o.flags.interactive && !::isatty(STDIN_FILENO))
    log_warn(
        "The input device is not a TTY. The --tty and --interactive flags might not work "
        "properly");  // podman's warning; it goes on, and so do we
  replace_named_container(globals.root(), o);
  enter_default_user_namespace();
  Store store = Store::open(globals.root(), container_store_options(o.flags.rm));
  // A --rm container never starts again: no saved Spec (run --rm is the benchmarked path).
  runner::Spec spec = new_container(store, o, o.flags.rm ? SaveSpec::kNo : SaveSpec::kDurable);
  spec.preserve_fds = preserve_fds;
  const std::string remove_image = o.flags.rmi ? o.image : std::string();
  // The container exists now: a start that fails (a port taken, a mount refused) is podman's
  // runtime failure, 126, as it is for the command itself.
  try {
    if (o.flags.detach) {
      start_detached(store.root(), spec, o.flags.rm, o.flags.rmi);
      std::printf("%s\n", spec.id.c_str());
      return kExitOk;
    }
    // podman: with none of the container's output attached (-a stdin), the id says what ran.
    if (!spec.attach_stdout && !spec.attach_stderr) {
      std::printf("%s\n", spec.id.c_str());
      std::fflush(stdout);
    }
    return start_attached(store, spec, o.flags.rm, remove_image);
  } catch (const runner::ExecError&) {
    throw;
  } catch (const Error& e) {
    if (e.code() == Errc::kInterrupted) throw;
    // podman 4.3's rule (define.ExitCode): 127 when the words say something was not found, else
    // 126.
    const std::string text = lower(e.what());
    const bool missing = text.find("not found") != std::string::npos ||
                         text.find("no such file") != std::string::npos;
    runner::ExecError failed(missing ? kExitNotFound : kExitNotExecutable, e.what());
    failed.set_hint(e.hint());
    throw failed;
  }
}

}  // namespace

Command add_run(CLI::App& parent) {
  auto args = std::make_shared<RunFlags>();
  Command cmd;
  cmd.app = parent.add_subcommand("run", "Run a command in a new container");
  add_run_flags(*cmd.app, *args);
  cmd.app->add_flag("--rmi", args->rmi,
                    "remove the image after the container (unless another container uses it); "
                    "implies --rm");
  // Checked, as podman does; a foreground run owns its container, so there is nothing to detach
  // from (docs/compatibility.md, attach): `dabba attach` from elsewhere is the way.
  auto detach_keys = std::make_shared<std::string>(runner::kDefaultDetachKeys);
  cmd.app->add_option("--detach-keys", *detach_keys,
                      "checked; a foreground run cannot detach (use -d and attach)");
  // run's own, as podman's (create has none): the fds are this process's.
  auto preserve_fds = std::make_shared<int>(0);
  cmd.app->add_option("--preserve-fds", *preserve_fds,
                      "pass N more fds (3 to 3+N-1) to the container; not with -d");
  // The verb enters the user namespace itself, so that failing to is dabba's exit code 125 too.
  cmd.needs = Needs::kNothing;
  CLI::App* app = cmd.app;
  cmd.run = [args, app, detach_keys, preserve_fds](const Globals& globals) {
    return with_container_exit_codes([&] {
      runner::parse_detach_keys(*detach_keys);
      // Every flag parsed and checked before anything else (a typo costs no namespace, no store).
      RunOptions options = parse_run_command(*app, *args);
      if (options.flags.runtime.empty()) options.flags.runtime = globals.runtime;
      check_preserve_fds(*preserve_fds, false);
      check_runtime_flags(globals);
      if (*preserve_fds > 0 && options.flags.detach)
        throw Error(Errc::kUnsupported, "--preserve-fds is not supported with --detach", 0,
                    "dabba's supervisor (run -d) does not keep the caller's fds: run in the "
                    "foreground, or pass the files with -v");
      return run_container(globals, options, *preserve_fds);
    });
  };
  return cmd;
}

}  // namespace dabba::cli
