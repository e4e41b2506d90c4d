// dabba's exit codes, in one place. `run` and `exec` answer as podman-run(1) says ("Exit Status"):
// the container's own code (128+N when signal N ended it), else 125 when dabba itself failed, 126
// when the command cannot be invoked, 127 when it cannot be found. The runner's child processes
// _exit with these as well, and the parent turns them back into errors.
#pragma once

namespace dabba {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;          // any other verb failed
inline constexpr int kExitDabbaFailed = 125;    // dabba's own failure; usage errors too (podman)
inline constexpr int kExitNotExecutable = 126;  // run/exec: the command cannot be invoked
inline constexpr int kExitNotFound = 127;       // run/exec: the command cannot be found
inline constexpr int kExitExecStateInvalid =
    255;  // exec into a container that is not running (podman)
inline constexpr int kExitInterrupted = 130;    // SIGINT/SIGTERM while working (128 + SIGINT)

}  // namespace dabba
