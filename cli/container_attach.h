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

// 0 when the container exits while attached (podman 4.3's `attach` and `start -a` of a running
// container; the code is in its record) and when the detach keys end the attach.
// Throws podman's errors: not running, bad detach keys (checked in that order, as podman).
int attach_running(const ContainerView& view, const AttachFlags& flags);

}  // namespace dabba::cli
