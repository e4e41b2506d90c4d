// The exec shim (shim/dabba_shim.c, embedded in dabba at build time) in a sealed memfd, which the
// container's setup process execveat()s as its last step instead of exec'ing the workload itself:
// from then on no process in the container runs dabba's host binary or has it as /proc/PID/exe,
// even one that exec's a `#!/proc/self/exe` script (CVE-2019-5736). The memfd is sealed against
// writes, growth, shrinking and resealing (F_SEAL_WRITE|SHRINK|GROW|SEAL, and F_SEAL_EXEC where the
// kernel has it) and is mode 0111: the exec'ing process cannot read it, which makes the kernel
// start the shim non-dumpable, so the container can neither ptrace it nor open its /proc files.
// Made once per dabba process (a few microseconds), inherited by the children (O_CLOEXEC).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dabba::runner {

// The memfd, made on first use; -1 when the kernel refuses an executable memfd
// (vm.memfd_noexec=2): the child then exec's the workload itself (a warning says so once).
int exec_shim_fd();

// The shim's argv (its header documents it): mode, report fd, forwarded signal mask (hex),
// program, then the workload's argv.
std::vector<std::string> exec_shim_argv(bool init, int report_fd, uint64_t signal_mask,
                                        const std::string& program,
                                        const std::vector<std::string>& argv);

}  // namespace dabba::runner
