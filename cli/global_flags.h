// podman's global flags, as scripts written for podman pass them before the verb. Most configure
// parts podman has and dabba does not (conmon, an OCI runtime, an events log, a network backend):
// dabba accepts them so the scripts run, and says why each means nothing here in
// docs/compatibility.md ("Global flags").
#pragma once

#include "cli/cli11_fwd.h"

namespace dabba::cli {

struct Globals;

// Registers --runroot, --storage-driver, --storage-opt, --noout, --events-backend,
// --runtime-flag, --runtime, --cgroup-manager, --conmon, --tmpdir, --volumepath (applied:
// export_volume_path),
// --network-cmd-path, --network-config-dir, --cni-config-dir, --syslog.
void add_podman_globals(CLI::App& app, Globals& globals);

// After parsing: --storage-driver must be one dabba can stand in for (overlay, vfs) or Error
// {kInvalidArgument}; --noout sends what dabba prints on stdout to /dev/null (the container's own
// output is not dabba's: it still shows).
void check_podman_globals(const Globals& globals);

// Before a container starts (run, start, restart): each --runtime-flag must be one of runc's or
// crun's global flags (they mean nothing to dabba); any other throws runner::ExecError 126, as
// podman's runtime fails the start.
void check_runtime_flags(const Globals& globals);

}  // namespace dabba::cli
