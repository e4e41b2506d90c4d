// dabba create [FLAGS] IMAGE [COMMAND [ARG...]]
//
// podman-create(1): every flag of `run`, registered and parsed by the same code (run_options.h),
// and everything `run` does before the start (cli/new_container.h: the image pulled per --pull,
// the Spec built, volumes made and filled, the record, --cidfile), the Spec saved durably beside
// the container. Prints the full id. The container is "created" (ps -a: Created) until `start`,
// which then needs neither the image config nor the flags: it starts as quickly as `run` does.
// -d and -i/-t are kept for `start` (-d means nothing here, as in podman).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/containers.h"
#include "cli/new_container.h"
#include "cli/run_options.h"
#include "common/userns.h"
#include "store/store.h"

namespace dabba::cli {

Command add_create(CLI::App& parent) {
  auto args = std::make_shared<RunFlags>();
  Command cmd;
  cmd.app = parent.add_subcommand("create", "Create but do not start a container");
  add_run_flags(*cmd.app, *args);
  cmd.needs = Needs::kNothing;  // as run: the namespace is entered once the flags are checked
  CLI::App* app = cmd.app;
  cmd.run = [args, app](const Globals& globals) {
    return with_container_exit_codes([&] {
      RunOptions options = parse_run_command(*app, *args);
      if (options.flags.runtime.empty()) options.flags.runtime = globals.runtime;
      replace_named_container(globals.root(), options);
      enter_default_user_namespace();
      Store store = Store::open(globals.root());
      const runner::Spec spec = new_container(store, options, SaveSpec::kDurable);
      std::printf("%s\n", spec.id.c_str());
      return kExitOk;
    });
  };
  return cmd;
}

}  // namespace dabba::cli
