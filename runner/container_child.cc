#include "runner/container_child.h"

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "common/error.h"
#include "common/exit_codes.h"
#include "runner/net/network.h"
#include "runner/rootfs_child.h"

namespace dabba::runner {

void container_child_main(SyncChannel& sync, const ContainerChildSetup& setup) noexcept {
  // The caller's stdio (its terminal, maybe) and whatever fds it passed dabba are never the
  // container's.
  if (!adopt_stdio_child(setup.stdio)) report_child_failure(sync, "set up the container's stdio", errno);
  // If dabba dies, so does the container. (The parent is outside our pid namespace, so getppid()
  // says 0 and cannot tell us whether it died before this line; the sync channel's EOF does.)
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  // With a new user namespace we hold every capability in it, but until the parent has written
  // the id map our files would belong to nobody: wait for it.
  if (setup.wait_for_id_map && !sync.wait_for_noexcept(SyncKind::kProceed))
    ::_exit(kExitDabbaFailed);
  try {
    write_sysctls(setup.sysctls);
    setup_rootfs_child(setup.mounts);
    DABBA_SYSCALL(::sethostname(setup.hostname.data(), setup.hostname.size()), "sethostname",
                  setup.hostname);
    if (setup.own_network_namespace) bring_loopback_up_child();
  } catch (const std::exception& e) {
    report_child_failure(sync, e);
  } catch (...) {
    report_child_failure(sync, "unknown failure while building the container", 0);
  }
  run_workload_child(sync, setup.workload);
}

}  // namespace dabba::runner
