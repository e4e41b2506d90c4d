#include "runner/run.h"

#include <signal.h>

#include "common/log.h"
#include "runner/attach.h"
#include "runner/signals.h"
#include "runner/terminal.h"

namespace dabba::runner {

int run_foreground(const Spec& spec) {
  SignalRelay relay;
  StartOptions options;
  if (spec.tty) options.terminal = user_terminal_fd();
  ContainerProcess container = start_container(spec, options);
  AttachOptions attach_options;
  attach_options.tty = spec.tty;
  attach_options.stdin_open = spec.stdin_open;
  ExitStatus status = attach(container, relay, attach_options);
  if (container.oom_killed())
    log_warn("the kernel killed a process of the container for going over its --memory limit");
  return status.code();
}

}  // namespace dabba::runner
