// `dabba attach`'s side of the attach socket (attach_server.h has the protocol): the container's
// output to our stdout/stderr as it comes, our stdin in when the container has -i (raw terminal
// with -t, our window size and its changes passed on), the detach keys looked for in what we type
// (detach_keys.h), our signals passed to PID 1 without -t (--sig-proxy). Returns when the
// container exits (its exit code), the keys detach, or the owner goes away.
#pragma once

#include <optional>
#include <string>

namespace dabba::runner {

struct AttachClientOptions {
  bool stdin_wanted = true;  // false: --no-stdin (and start -a without -i)
  bool sig_proxy = true;
  std::string detach_keys;  // parse_detach_keys()'s bytes; empty: no detaching
  int in = 0;
  int out = 1;
  int err = 2;
};

struct AttachOutcome {
  bool detached = false;         // the detach keys: the container runs on
  std::optional<int> exit_code;  // the container's, when it exited while we were attached
  int signal = 0;                // a signal we got and did not pass on ended the attach
};

// Throws Error when nobody listens on the socket (the container is not running).
AttachOutcome attach_client(const std::string& container_dir, const AttachClientOptions& options);

}  // namespace dabba::runner
