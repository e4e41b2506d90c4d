// The sandbox, parent side: start_container() clones the container's first process into new
// namespaces and walks it to exec; ContainerProcess owns it until it is reaped.
//
// Namespaces. A rootless dabba is already inside its own user namespace (cli/main.cc entered it:
// 0 -> the caller, 1..N -> the subuid ranges), so the container is cloned from there with
// CLONE_NEWNS|NEWPID|NEWUTS|NEWIPC (+NEWNET unless --network host) and shares that user
// namespace: the container's uids are the store's uids. Real root (uid 0 in the initial user
// namespace) gets CLONE_NEWUSER as well, with Spec::id_map (the identity) written by us.
// --userns=keep-id|nomap|auto and --uidmap (Spec::id_map otherwise): the child unshares a user
// namespace nested in ours once its root is built, and we write its map (no newuidmap: we hold
// CAP_SETUID in its parent); the other namespaces stay owned by ours.
//
// Parent checklist (the child's is in container_child.h):
//   validate; prepare the container dir (upper/ work/ rootfs/ etc/); plan the mounts; create the
//   cgroups (errors before anything runs); socketpair; clone; [write the id map, kProceed];
//   cgroup.procs; network helper started; wait kReady (+pty master); [network ready; before_exec;
//   kExec: only with cgroups, a network helper or a before_exec, else the child does not wait];
//   EOF = exec done, kError = the child's failure, with its text.
#pragma once

#include <sys/ioctl.h>
#include <sys/types.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/child_process.h"
#include "common/error.h"
#include "common/exit_codes.h"
#include "common/unique_fd.h"
#include "runner/exec_shim.h"
#include "runner/io_relay.h"
#include "runner/seccomp.h"
#include "runner/spec.h"
#include "runner/workload_child.h"

namespace dabba::runner {

class ContainerCgroup;
class ContainerProcess;
class NetworkSetup;
struct SyncMessage;

// The command could not be executed: exit_code() is 127 (not found) or 126 (not executable), as
// Docker's. Every other start failure is a plain Error (dabba's exit code 125).
class ExecError : public Error {
 public:
  ExecError(int exit_code, std::string message)
      : Error(exit_code == kExitNotFound ? Errc::kNotFound : Errc::kPermission, std::move(message)),
        exit_code_(exit_code) {}
  int exit_code() const { return exit_code_; }

 private:
  int exit_code_;
};

struct StartOptions {
  // -t: the user's terminal, whose window size the pty gets before the workload execs (-1: none).
  // Read here: the terminal itself never reaches the container.
  int terminal = -1;
  // Called once the container's first process is set up and before its workload execs (the
  // child then waits for it): what must be on record before anything of the workload runs, such
  // as the container's running state, which a workload filling the disk at once would otherwise
  // leave unwritable. A throw kills the child and fails the start. (From then until the exec, a
  // `dabba exec` or `kill` may already find the container running: its PID 1 is still dabba's
  // setup process, which a kill ends as it would the workload.)
  std::function<void(const ContainerProcess&)> before_exec;
};

// The caller's window size, when `terminal` is one.
std::optional<winsize> terminal_window(int terminal);

// What run's and exec's last child process becomes (workload_child.h): the process part of a Spec
// or a JoinSpec (they name it alike), its seccomp filter compiled and the exec shim opened here,
// before the fork. The caller sets the rest (create_cwd, init, wait_for_go).
template <class ProcessSpec>
WorkloadSetup workload_setup(const ProcessSpec& spec, const StartOptions& options) {
  WorkloadSetup w;
  w.argv = spec.argv;
  w.env = spec.env;
  w.cwd = spec.cwd;
  w.user = spec.user;
  w.group_add = spec.group_add;
  w.tty = spec.tty;
  w.null_stdin = !spec.tty && !spec.stdin_open;
  w.capabilities = spec.capabilities;
  if (spec.seccomp) w.seccomp = container_seccomp_filter(spec.seccomp_profile, spec.capabilities);
  if (spec.tty) w.window = terminal_window(options.terminal);
  w.shim_fd = exec_shim_fd();
  w.preserve_fds = spec.preserve_fds;
  return w;
}

class ContainerProcess {
 public:
  ContainerProcess(ContainerProcess&&) noexcept;
  ContainerProcess& operator=(ContainerProcess&&) = delete;
  ContainerProcess(const ContainerProcess&) = delete;
  ~ContainerProcess();  // a container still running is killed (SIGKILL) and reaped

  pid_t pid() const { return child_.pid(); }
  // The container's stdio, dabba's ends (pipes, or the pty's master with -t), for attach() to copy.
  IoEnds take_io() { return std::move(io_); }
  // Signals the container's PID 1 (ours until reaped: never a recycled pid). ESRCH ignored.
  void kill(int sig) { child_.signal(sig); }
  // The status once PID 1 exited (without blocking); cleanup runs then.
  std::optional<ExitStatus> try_wait();
  ExitStatus wait();
  // After the exit: whether the OOM killer struck in the container's memory cgroup.
  bool oom_killed() const { return oom_killed_; }
  // The container's cgroup directories (empty without limits), for `exec` to join.
  std::vector<std::string> cgroup_dirs() const;

 private:
  friend ContainerProcess start_container(const Spec&, const StartOptions&);
  friend ContainerProcess join_container(const struct JoinSpec&, const StartOptions&);
  ContainerProcess();
  void finish() noexcept;

  ChildProcess child_;
  IoEnds io_;
  std::unique_ptr<ContainerCgroup> cgroup_;
  std::unique_ptr<NetworkSetup> network_;
  bool finished_ = false;
  bool oom_killed_ = false;
};

ContainerProcess start_container(const Spec& spec, const StartOptions& options = {});

// True when start_container() will create a user namespace (dabba runs as real root).
bool creates_user_namespace();
// True when the container's user namespace is nested, made by the child after its root is built
// (Spec::id_map from --userns/--uidmap; container_child.h).
bool nested_user_namespace(const Spec& spec);

// The SyncKind::kError text (message NUL hint) -> the Error the parent throws.
[[noreturn]] void throw_child_error(int code, int err, const std::string& text);
// A SyncKind::kError or kExecFailed message (the shim's, about argv0) -> the Error to throw.
[[noreturn]] void throw_start_failure(const SyncMessage& msg, const std::string& argv0);


}  // namespace dabba::runner
