// `dabba run` in the foreground, start to finish: block the forwarded signals, start the
// container, record it running (StateOwner: ps, stop and exec see it as they see a detached one,
// this process being its supervisor), attach, wait, record the exit, on_exit (--rm). What the
// CLI's run verb calls once it has a Spec; supervisor.h is the same for -d.
#pragma once

#include "runner/container.h"
#include "runner/spec.h"
#include "runner/state.h"

namespace dabba::runner {

// Returns the container's exit code (128+N when signal N killed it). Throws ExecError (exit 126 or
// 127) when the command cannot be executed and Error (exit 125) for any other start failure, after
// recording the failure and running on_exit. The caller must be single-threaded.
// With --timeout, a container killed for it makes the run exit 255 (podman's code).
inline constexpr int kExitTimedOut = 255;
int run_foreground(const Spec& spec, OnExit on_exit = {});

}  // namespace dabba::runner
