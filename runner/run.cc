#include "runner/run.h"

#include <optional>

#include "runner/attach.h"
#include "runner/signals.h"
#include "runner/terminal.h"

namespace dabba::runner {

int run_foreground(const Spec& spec, OnExit on_exit) {
  SignalRelay relay;  // before the clone: a Ctrl-C during the start waits in the queue
  StartOptions options;
  if (spec.tty) options.terminal = user_terminal_fd();
  StateOwner owner(spec.container_dir, std::move(on_exit));
  std::optional<ContainerProcess> container;
  try {
    container.emplace(start_container(spec, options));
  } catch (const std::exception& e) {
    owner.start_failed(e);
    owner.run_on_exit();
    throw;
  }
  owner.running(*container);
  AttachOptions attach_options;
  attach_options.tty = spec.tty;
  attach_options.stdin_open = spec.stdin_open;
  ExitStatus status = attach(*container, relay, attach_options);
  const bool oom_killed = container->oom_killed();
  container.reset();  // reaped, cgroups and network helpers gone
  owner.exited(status, oom_killed);
  owner.run_on_exit();
  return status.code();
}

}  // namespace dabba::runner
