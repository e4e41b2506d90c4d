#include "runner/join.h"

#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <optional>
#include <string>

#include "common/fault_point.h"
#include "common/error.h"
#include "common/exit_codes.h"
#include "common/unique_fd.h"
#include "runner/attach.h"
#include "runner/cgroups.h"
#include "runner/clone.h"
#include "runner/exec_shim.h"
#include "runner/seccomp.h"
#include "runner/signals.h"
#include "runner/state.h"
#include "runner/sync_channel.h"
#include "runner/terminal.h"
#include "runner/workload_child.h"

namespace dabba::runner {
namespace {

struct Namespace {
  const char* name;
  int type;
  UniqueFd fd;
};

bool same_namespace(int fd, const char* self_path) {
  struct stat a, b;
  return ::fstat(fd, &a) == 0 && ::stat(self_path, &b) == 0 && a.st_ino == b.st_ino &&
         a.st_dev == b.st_dev;
}

// The intermediate process: joins, then clones the workload as a child of the caller
// (CLONE_PARENT) so the caller waits for it directly. Never returns.
[[noreturn]] void join_child(SyncChannel& sync, std::vector<Namespace>& namespaces,
                             const JoinSpec& spec, const WorkloadSetup& setup,
                             const ChildStdio& stdio) noexcept {
  // Before we join anything: the container's processes will see our child from its clone on, and
  // must find nothing of the caller in it (its terminal, fds it passed, dabba's memory).
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0 || !adopt_stdio_child(stdio))
    report_child_failure(sync, "prepare to join the container", errno);
  try {
    // While we still see the host's /sys/fs/cgroup.
    join_cgroups(spec.cgroups, ::getpid());
    // The namespaces the container shares with us (--network host's, and the user namespace of
    // a rootful dabba) are not joined: we are in them already, and setns() would want
    // capabilities over the host's namespaces that a rootless dabba does not have. Told apart
    // before we move: /proc/self/ns/ names ours.
    for (auto& ns : namespaces)
      if (ns.fd.valid() &&
          same_namespace(ns.fd.get(), (std::string("/proc/self/ns/") + ns.name).c_str()))
        ns.fd.reset();
    for (auto& ns : namespaces) {
      if (!ns.fd.valid()) continue;
      // The user namespace that owns the others first (it gives us the capabilities they need),
      // the container's own last: a --userns container's is nested in dabba's, which owns the
      // others (container_child.h), and once in it we could join none of them.
      DABBA_SYSCALL(::setns(ns.fd.get(), ns.type), "join the container's", ns.name, "namespace");
      ns.fd.reset();
    }
    // setns(CLONE_NEWPID) only applies to children: the workload is one.
    CloneResult child = clone_process(CLONE_PARENT);
    if (child.pid == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      run_workload_child(sync, setup);
    }
    sync.send_noexcept(SyncKind::kPid, child.pid, 0, {});
    ::_exit(0);
  } catch (const std::exception& e) {
    report_child_failure(sync, e);
  }
}

}  // namespace

ContainerProcess join_container(const JoinSpec& spec, const StartOptions& options) {
  if (spec.argv.empty() || spec.argv[0].empty())
    throw Error(Errc::kInvalidArgument, "exec: no command given");
  if (spec.pid <= 0) throw Error(Errc::kInvalidArgument, "exec: the container is not running");
  if (spec.pid_start_time != 0 && process_start_time(spec.pid) != spec.pid_start_time)
    throw Error(Errc::kNotFound, "the container is not running any more");

  // Opened here, before any fork: the namespaces of the live PID 1, or an error naming the cause.
  std::vector<Namespace> namespaces;
  for (auto [name, type] : {std::pair{"mnt", CLONE_NEWNS},
                            {"uts", CLONE_NEWUTS},
                            {"ipc", CLONE_NEWIPC},
                            {"net", CLONE_NEWNET},
                            {"pid", CLONE_NEWPID},
                            {"user", CLONE_NEWUSER}}) {
    std::string path = "/proc/" + std::to_string(spec.pid) + "/ns/" + name;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw_errno("open " + path);
    namespaces.push_back({name, type, UniqueFd(fd)});
  }
  // The owner of the container's mount namespace (NS_GET_USERNS), joined first (see join_child).
  int owner = ::ioctl(namespaces.front().fd.get(), NS_GET_USERNS);
  if (owner < 0) throw_errno("find the owner of the container's mount namespace");
  namespaces.insert(namespaces.begin(), Namespace{"user", CLONE_NEWUSER, UniqueFd(owner)});
  // The container's own user namespace is joined last only when it is another (nested) one: by
  // then /proc is the container's, where join_child could not look itself up.
  struct stat first, last;
  if (::fstat(namespaces.front().fd.get(), &first) == 0 &&
      ::fstat(namespaces.back().fd.get(), &last) == 0 && first.st_ino == last.st_ino &&
      first.st_dev == last.st_dev)
    namespaces.pop_back();
  if (spec.pid_start_time != 0 && process_start_time(spec.pid) != spec.pid_start_time)
    throw Error(Errc::kNotFound, "the container is not running any more");

  WorkloadSetup setup = workload_setup(spec, options);
  setup.create_cwd = false;   // exec: a missing -w is an error
  setup.wait_for_go = false;  // the intermediate joined the cgroups before it cloned us
  std::optional<StdioPipes> pipes;
  ChildStdio stdio;
  if (!spec.tty) {
    pipes = StdioPipes::make(spec.stdin_open);
    stdio = pipes->child();
  }

  auto channel = SyncChannel::make();
  pid_t middle_pid = ::fork();
  if (middle_pid < 0) throw_errno("fork");
  if (middle_pid == 0) {
    channel.parent.close();
    join_child(channel.child, namespaces, spec, setup, stdio);
  }
  channel.child.close();
  namespaces.clear();
  SyncChannel& sync = channel.parent;
  const ExitStatus middle = ChildProcess(middle_pid).wait();

  // Two writers share the channel: the intermediate (kPid) and the workload (kReady or kError),
  // in either order. Collect both before going on.
  ContainerProcess proc;
  if (pipes) {
    pipes->close_child_ends();
    proc.io_ = pipes->take_ends();
  }
  std::optional<SyncMessage> ready, failure;
  bool got_pid = false;
  while (!got_pid || (!ready && !failure)) {
    std::optional<SyncMessage> msg = sync.receive();
    if (!msg) break;
    if (msg->kind == SyncKind::kPid) {
      got_pid = true;
      proc.child_ = ChildProcess(msg->code);  // ours: the middle cloned it with CLONE_PARENT
    } else if (msg->kind == SyncKind::kReady) {
      ready = std::move(msg);
    } else {
      failure = std::move(msg);
    }
  }
  if (failure || !ready) {
    if (got_pid) proc.wait();
    if (failure) throw_start_failure(*failure, spec.argv[0]);
    throw Error(Errc::kFailed, std::string("joining the container failed") +
                                   (got_pid ? "" : " (" + middle.describe() + ")"));
  }
  if (spec.tty) {
    if (!ready->fd.valid()) throw Error(Errc::kFailed, "the container sent no pty");
    proc.io_.pty = std::move(ready->fd);
  }
  if (std::optional<SyncMessage> after = sync.receive()) {
    proc.wait();
    throw_start_failure(*after, spec.argv[0]);
  }
  return proc;
}

void exec_detached(const JoinSpec& spec) {
  int fds[2];
  DABBA_SYSCALL(::pipe2(fds, O_CLOEXEC), "pipe");
  UniqueFd report_in(fds[0]), report_out(fds[1]);
  const pid_t keeper = ::fork();
  if (keeper < 0) throw_errno("fork the exec's keeper");
  if (keeper == 0) {
    report_in.reset();
    ::setsid();
    const int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null >= 0)
      for (int fd = 0; fd < 3; ++fd) ::dup3(null, fd, 0);
    // Nothing of the caller's stays open in the keeper (a caller waiting for its fds to close,
    // as a test harness's `run`, would wait for the process): the report pipe becomes fd 3.
    if (report_out.get() != 3) {
      if (::dup3(report_out.get(), 3, O_CLOEXEC) < 0) ::_exit(kExitDabbaFailed);
      report_out.release();  // (closed below with the rest)
      report_out = UniqueFd(3);
    }
    ::close_range(4, ~0U, 0);
    // Before the process exists: its SIGCHLD must reach the relay, however soon it exits.
    SignalRelay relay;
    // The first byte says how it went: 0, or the exit code, then the message.
    std::string report(1, '\0');
    std::optional<ContainerProcess> process;
    try {
      JoinSpec detached = spec;
      detached.tty = false;
      detached.stdin_open = false;
      process.emplace(join_container(detached));
    } catch (const ExecError& e) {
      report = std::string(1, static_cast<char>(e.exit_code())) + e.what();
    } catch (const std::exception& e) {
      report = std::string(1, static_cast<char>(kExitDabbaFailed)) + e.what();
    }
    (void)!::write(report_out.get(), report.data(), report.size());
    report_out.reset();
    if (process) {
      AttachOptions options;
      options.out = options.err = -1;
      attach(*process, relay, options);
    }
    ::_exit(0);
  }
  report_out.reset();
  std::string report;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(report_in.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    report.append(buf, static_cast<size_t>(n));
  }
  if (report.empty()) throw Error(Errc::kFailed, "the exec's keeper ended without a word");
  if (report[0] != '\0') throw ExecError(static_cast<unsigned char>(report[0]), report.substr(1));
}

int exec_foreground(const JoinSpec& spec) {
  SignalRelay relay;
  StartOptions options;
  if (spec.tty) options.terminal = user_terminal_fd();
  ContainerProcess process = join_container(spec, options);
  fault_point("exec-started");
  AttachOptions attach_options;
  attach_options.tty = spec.tty;
  attach_options.stdin_open = spec.stdin_open;
  return attach(process, relay, attach_options).code();
}

}  // namespace dabba::runner
