#include "runner/run.h"

#include <optional>

#include "common/fault_point.h"
#include "common/log.h"
#include "runner/attach.h"
#include "runner/attach_server.h"
#include "runner/container_log.h"
#include "runner/restart_policy.h"
#include "runner/signals.h"
#include "runner/supervisor.h"
#include "runner/terminal.h"

namespace dabba::runner {

int run_foreground(const Spec& spec, OnExit on_exit) {
  SignalRelay relay;  // before the clone: a Ctrl-C during the start waits in the queue
  StartOptions options;
  if (spec.tty) options.terminal = user_terminal_fd();
  clear_stop_request(spec.container_dir);  // a start by the user: the --restart policy applies
  StateOwner owner(spec.container_dir, std::move(on_exit));
  options.before_exec = [&](const ContainerProcess& c) { owner.running(c); };
  std::optional<ContainerProcess> container;
  std::optional<LogWriter> log;
  try {
    log = open_container_log(spec.container_dir, spec.log);
    container.emplace(start_container(spec, options));
    owner.started();
  } catch (const std::exception& e) {
    owner.start_failed(e);
    owner.run_on_exit();
    throw;
  }
  fault_point("run-state-recorded");
  write_pidfile(spec.pidfile, container->pid());
  write_pidfile(spec.owner_pidfile, ::getpid());
  AttachOptions attach_options;
  attach_options.tty = spec.tty;
  attach_options.stdin_open = spec.stdin_open;
  if (!spec.attach_stdout) attach_options.out = -1;
  if (!spec.attach_stderr) attach_options.err = -1;
  if (log) attach_options.log = &*log;
  attach_options.timeout_seconds = spec.timeout_seconds;
  // `dabba attach` reaches a foreground container too (its output; its stdin with -i, beside ours).
  std::optional<AttachServer> server;
  try {
    server.emplace(spec.container_dir, spec.tty, spec.stdin_open);
    attach_options.server = &*server;
  } catch (const std::exception& e) {
    log_warn(std::string("no attach socket: ") + e.what());
  }
  bool timed_out = false;
  attach_options.timed_out = &timed_out;
  ExitStatus status = attach(*container, relay, attach_options);
  const bool oom_killed = container->oom_killed();
  container.reset();  // reaped, cgroups and network helpers gone
  owner.exited(status, oom_killed, timed_out);
  if (server) server->container_exited(status.code());
  server.reset();  // before --rm removes the directory
  owner.run_on_exit();
  // As podman's: run returns the first exit, and the --restart policy goes on in the background.
  if (!timed_out && restart_wanted(spec.restart, status.code(), 0) &&
      !stop_requested(spec.container_dir)) {
    try {
      start_detached(spec, {}, 1);
    } catch (const std::exception& e) {
      log_warn(std::string("--restart: could not start the container again: ") + e.what());
    }
  }
  // podman's exit code for a container its --timeout killed.
  return timed_out ? kExitTimedOut : status.code();
}

}  // namespace dabba::runner
