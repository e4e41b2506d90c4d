// Attaching this process to a running container through its owner's attach socket
// (runner/attach_server.h): `attach`, and `start -a` of a container that already runs.
#pragma once

#include <string>

#include "cli/containers.h"

namespace dabba::cli {

struct AttachFlags {
  std::string detach_keys = "ctrl-p,ctrl-q";
  bool no_stdin = false;
  bool sig_proxy = true;
};

// The container's exit code when it exits while attached; 0 when the detach keys end the attach.
// Throws podman's errors: not running, bad detach keys (checked in that order, as podman).
int attach_running(const ContainerView& view, const AttachFlags& flags);

}  // namespace dabba::cli
