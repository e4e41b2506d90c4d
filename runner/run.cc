#include "runner/run.h"

#include <optional>

#include "runner/attach.h"
#include "runner/container_log.h"
#include "runner/signals.h"
#include "runner/terminal.h"

namespace dabba::runner {

int run_foreground(const Spec& spec, OnExit on_exit) {
  SignalRelay relay;  // before the clone: a Ctrl-C during the start waits in the queue
  StartOptions options;
  if (spec.tty) options.terminal = user_terminal_fd();
  StateOwner owner(spec.container_dir, std::move(on_exit));
  std::optional<ContainerProcess> container;
  std::optional<LogWriter> log;
  try {
    log = open_container_log(spec.container_dir, spec.log);
    container.emplace(start_container(spec, options));
  } catch (const std::exception& e) {
    owner.start_failed(e);
    owner.run_on_exit();
    throw;
  }
  owner.running(*container);
  write_pidfile(spec.pidfile, container->pid());
  AttachOptions attach_options;
  attach_options.tty = spec.tty;
  attach_options.stdin_open = spec.stdin_open;
  if (!spec.attach_stdout) attach_options.out = -1;
  if (!spec.attach_stderr) attach_options.err = -1;
  if (log) attach_options.log = &*log;
  attach_options.timeout_seconds = spec.timeout_seconds;
  bool timed_out = false;
  attach_options.timed_out = &timed_out;
  ExitStatus status = attach(*container, relay, attach_options);
  const bool oom_killed = container->oom_killed();
  container.reset();  // reaped, cgroups and network helpers gone
  owner.exited(status, oom_killed);
  owner.run_on_exit();
  // podman's exit code for a container its --timeout killed.
  return timed_out ? kExitTimedOut : status.code();
}

}  // namespace dabba::runner
