// The foreground side of a running container: until its PID 1 exits, forward the signals dabba
// gets to it and, with -t, relay the user's terminal and the container's pty both ways (raw mode,
// window size on SIGWINCH). Without -t the container has our stdio fds directly and there is
// nothing to copy.
#pragma once

#include "common/subprocess.h"
#include "runner/container.h"
#include "runner/signals.h"

namespace dabba::runner {

struct AttachOptions {
  bool tty = false;         // relay the pty
  bool stdin_open = false;  // -i: copy our stdin into the pty
  int in = 0;
  int out = 1;
  // -t: whether losing our output (the user's terminal hung up) hangs the container up. Off for a
  // detached pty whose output is a log file: a full disk drops log lines, it kills nothing.
  bool hang_up_on_output_loss = true;
};

// Returns PID 1's status. The relay must have been created before the container was started.
ExitStatus attach(ContainerProcess& container, SignalRelay& relay, const AttachOptions& options);

}  // namespace dabba::runner
