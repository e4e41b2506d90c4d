// The owner's side of a running container: until its PID 1 exits, forward the signals dabba gets
// to it, copy its stdio (io_relay.h: pipes, or the pty with -t, to the caller and/or the log),
// and with -t keep the caller's terminal raw and pass window size changes on; serve `dabba attach`
// clients (attach_server.h) when given a server.
#pragma once

#include "common/subprocess.h"
#include "runner/container.h"
#include "runner/container_log.h"
#include "runner/signals.h"

namespace dabba::runner {

class AttachServer;

struct AttachOptions {
  bool tty = false;         // the container has a pty
  bool stdin_open = false;  // -i: copy our stdin in
  int in = 0;
  int out = 1;   // -1: the container's output goes only to the log
  int err = 2;
  LogWriter* log = nullptr;  // -d: the supervisor's log of the container
  // Attach clients: they get the output, and their input goes in when server says -i. Its
  // container_exited() is the caller's to call.
  AttachServer* server = nullptr;
  // -t: whether losing our output (the user's terminal hung up) hangs the container up. Off for a
  // detached pty whose output is a log file: a full disk drops log lines, it kills nothing.
  bool hang_up_on_output_loss = true;
  // --timeout: seconds after the attach starts that the container is killed (SIGKILL); 0: never.
  // timed_out (if given) tells whether that happened.
  unsigned timeout_seconds = 0;
  bool* timed_out = nullptr;
};

// Returns PID 1's status. The relay must have been created before the container was started.
ExitStatus attach(ContainerProcess& container, SignalRelay& relay, const AttachOptions& options);

}  // namespace dabba::runner
