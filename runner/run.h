// `dabba run` in the foreground, start to finish: block the forwarded signals, start the
// container, attach, wait. What the CLI's run verb calls once it has a Spec.
#pragma once

#include "runner/container.h"
#include "runner/spec.h"

namespace dabba::runner {

// Returns the container's exit code (128+N when signal N killed it). Throws ExecError (exit 126 or
// 127) when the command cannot be executed and Error (exit 125) for any other start failure.
int run_foreground(const Spec& spec);

}  // namespace dabba::runner
