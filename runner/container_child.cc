#include "runner/container_child.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "common/error.h"
#include "common/exit_codes.h"
#include "common/fs.h"
#include "common/unique_fd.h"
#include "runner/net/network.h"
#include "runner/rootfs_child.h"
#include "runner/user.h"

namespace dabba::runner {
namespace {

// Appends the entries /etc/passwd or /etc/group lacks. A read-only root keeps its files as they
// are (the user then has no name in the container).
void add_entries(const char* path, const std::vector<std::string>& entries) {
  if (entries.empty()) return;
  std::string add = missing_entries(read_container_file(path), entries);
  if (add.empty()) return;
  int fd = ::open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOCTTY | O_NONBLOCK | O_CLOEXEC, 0644);
  if (fd < 0 && errno == EROFS) return;
  if (fd < 0) throw_errno(std::string("open ") + path + " to add the --userns user");
  UniqueFd owned(fd);
  write_all(fd, add);
}

// The nested user namespace (container_child.h): the parent maps it once we say we are in it.
void unshare_user_namespace(SyncChannel& sync) {
  DABBA_SYSCALL(::unshare(CLONE_NEWUSER), "unshare the container's user namespace");
  if (!sync.send_noexcept(SyncKind::kUnshared, 0, 0, {})) ::_exit(kExitDabbaFailed);
  if (!sync.wait_for_noexcept(SyncKind::kProceed)) ::_exit(kExitDabbaFailed);
}

}  // namespace

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
    if (setup.join_netns_fd >= 0)
      DABBA_SYSCALL(::setns(setup.join_netns_fd, CLONE_NEWNET),
                    "join the network namespace of --network container:");
    if (setup.join_ipcns_fd >= 0)
      DABBA_SYSCALL(::setns(setup.join_ipcns_fd, CLONE_NEWIPC),
                    "join the IPC namespace of --ipc container:");
    write_sysctls(setup.sysctls);
    setup_rootfs_child(setup.mounts);
    if (!setup.hostname.empty())
      DABBA_SYSCALL(::sethostname(setup.hostname.data(), setup.hostname.size()), "sethostname",
                    setup.hostname);
    if (setup.own_network_namespace) bring_loopback_up_child();
    add_entries("/etc/passwd", setup.passwd_entries);
    add_entries("/etc/group", setup.group_entries);
    if (setup.unshare_userns) {
      // Made while we may still write everywhere: the nested map may leave / unmapped.
      if (setup.workload.create_cwd) make_dirs(setup.workload.cwd);
      unshare_user_namespace(sync);
    }
  } catch (const std::exception& e) {
    report_child_failure(sync, e);
  } catch (...) {
    report_child_failure(sync, "unknown failure while building the container", 0);
  }
  run_workload_child(sync, setup.workload);
}

}  // namespace dabba::runner
