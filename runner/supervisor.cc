#include "runner/supervisor.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <thread>

#include "common/fault_point.h"
#include "common/child_process.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/process_title.h"
#include "common/subprocess.h"
#include "runner/attach.h"
#include "runner/attach_server.h"
#include "runner/container.h"
#include "runner/container_log.h"
#include "runner/restart_policy.h"
#include "runner/signals.h"
#include "runner/spec_codec.h"
#include "runner/sync_channel.h"

namespace dabba::runner {
namespace {

int open_log(const std::string& path) {
  return DABBA_SYSCALL(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640), path);
}

// A start that failed: recorded (for `ps -a`) before the caller is told, so the state is final
// when the caller returns; then on_exit.
void fail_start(StateOwner& owner, SyncChannel& report, const std::exception& e) noexcept {
  owner.start_failed(e);
  const auto* error = dynamic_cast<const Error*>(&e);
  std::string text = e.what();
  if (error && !error->hint().empty()) text += std::string(1, '\0') + error->hint();
  report.send_noexcept(SyncKind::kError, owner.state().exit_code, error ? error->sys_errno() : 0,
                       text);
  report.close();
  owner.run_on_exit();
}

// Waits out the delay before a restart; false when the container is not to start again after all
// (a stop request, or `rm` took its directory, in the meantime).
bool wait_to_restart(const Spec& spec, unsigned restarts) {
  const auto deadline = std::chrono::steady_clock::now() + restart_delay(restarts);
  for (;;) {
    if (stop_requested(spec.container_dir) || !path_exists(state_path(spec.container_dir)))
      return false;
    if (std::chrono::steady_clock::now() >= deadline) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// The exit command as the StateOwner's on_exit: run to its end; its output goes to
// supervisor.log, a failure is logged there.
OnExit exit_action(const ExitCommand& exit_command) {
  OnExit on_exit;
  if (exit_command.argv.empty()) return on_exit;
  on_exit.removes_container = exit_command.removes_container;
  on_exit.run = [argv = exit_command.argv](const ContainerState&) {
    const ExitStatus status = spawn(argv).wait();
    if (status.code() != 0)
      log_warn("the exit command (" + argv.front() + ") failed: " + status.describe());
  };
  return on_exit;
}

// Where dabba-supervise is: beside this dabba (the build tree, a copied pair), or in
// ../libexec/dabba/ from it (installed by cmake/install.cmake). "" when neither has it.
std::string supervise_program() {
  const std::string self = self_exe_path();
  if (self.empty()) return "";
  const std::string dir = dirname_of(self);
  for (const std::string& candidate :
       {dir + "/dabba-supervise", dir + "/../libexec/dabba/dabba-supervise"})
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  return "";
}

// In the supervisor, after the double fork: become dabba-supervise. The Spec goes over in a memfd
// as fd kSuperviseSpecFd, the channel as kSuperviseReportFd. Returns when the program cannot be
// started; the caller then supervises in this process.
void exec_supervise_program(const std::string& program, const Spec& spec, SyncChannel& report,
                            const ExitCommand& exit_command, unsigned restarts) noexcept {
  try {
    // The channel to its number first (whatever held it goes: nothing of ours), then the memfd
    // above both numbers, so that neither move can close the other.
    if (!report.move_to(kSuperviseReportFd)) return;
    UniqueFd memfd(::memfd_create("dabba-spec", MFD_CLOEXEC));
    if (!memfd.valid()) return;
    UniqueFd spec_fd(::fcntl(memfd.get(), F_DUPFD_CLOEXEC, 10));
    if (!spec_fd.valid()) return;
    memfd.reset();
    write_all(spec_fd.get(), encode_spec(spec));
    if (::lseek(spec_fd.get(), 0, SEEK_SET) != 0) return;
    if (::dup2(spec_fd.get(), kSuperviseSpecFd) < 0) return;  // dup2 clears O_CLOEXEC
    int flags = ::fcntl(kSuperviseReportFd, F_GETFD);
    if (flags < 0 || ::fcntl(kSuperviseReportFd, F_SETFD, flags & ~FD_CLOEXEC) < 0) return;
    // --id: the title it takes ("dabba-supervise ID") then fits in its arguments' space, so its
    // environment (/proc/PID/environ, CONTAINERS_CONF for its cleanup) stays readable, as conmon's.
    std::vector<std::string> args = {
        "dabba-supervise", "--id",         spec.id,
        "--restarts",      std::to_string(restarts),
        "--log-level",     log_level_name(log_level()),
        "--exit-removes",  exit_command.removes_container ? "1" : "0"};
    if (!exit_command.argv.empty()) {
      args.push_back("--");
      args.insert(args.end(), exit_command.argv.begin(), exit_command.argv.end());
    }
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(program.c_str(), argv.data());
    log_debug("could not exec " + program + ": " + std::strerror(errno));
    ::fcntl(kSuperviseReportFd, F_SETFD, FD_CLOEXEC);
  } catch (const std::exception& e) {
    log_debug(std::string("could not start dabba-supervise: ") + e.what());
  }
}

}  // namespace

[[noreturn]] void supervise(const Spec& spec, int report_fd, const ExitCommand& exit_command,
                            unsigned restarts) noexcept {
  SyncChannel report{UniqueFd(report_fd)};
  StateOwner owner(spec.container_dir, exit_action(exit_command), restarts);
  try {
    // Own stdio: nothing of the caller's (a `$(dabba run -d ...)` would wait for our stdout).
    std::string logs = make_log_dir(spec.container_dir);
    int null = DABBA_SYSCALL(::open("/dev/null", O_RDWR | O_CLOEXEC));
    int own_log = open_log(logs + "/supervisor.log");
    DABBA_SYSCALL(::dup2(null, 0));
    DABBA_SYSCALL(::dup2(own_log, 1));
    DABBA_SYSCALL(::dup2(own_log, 2));
    ::close(null);
    ::close(own_log);
    // And nothing else of the caller's either: keep only the report channel.
    if (!report.move_to(kSuperviseReportFd)) throw_errno("move the report channel");
    ::close_range(kSuperviseReportFd + 1, ~0u, 0);
    fault_point("supervise-started");

    // The container's output reaches its log only through us (io_relay.h): it holds no fd of it.
    std::optional<LogWriter> log = open_container_log(spec.container_dir, spec.log);
    SignalRelay relay;
    // Our stdin is /dev/null: what the container reads (-i) comes from `dabba attach` clients,
    // served by this loop (attach_server.h); until one types, a -dit shell waits on its pty.
    // Without it the container still runs and logs (an attach then says it is not running).
    std::optional<AttachServer> server;
    try {
      server.emplace(spec.container_dir, spec.tty, spec.stdin_open);
    } catch (const std::exception& e) {
      log_warn(std::string("no attach socket: ") + e.what());
    }
    AttachOptions attach_options;
    attach_options.tty = spec.tty;
    attach_options.stdin_open = false;
    if (server) attach_options.server = &*server;
    attach_options.out = -1;
    attach_options.err = -1;
    if (log) attach_options.log = &*log;
    attach_options.timeout_seconds = spec.timeout_seconds;
    attach_options.hang_up_on_output_loss = false;
    bool timed_out = false;
    attach_options.timed_out = &timed_out;

    // A restart handed over by a foreground run waits its delay first.
    if (restarts > 0 && !wait_to_restart(spec, restarts - 1)) {
      report.send_noexcept(SyncKind::kPid, 0, 0, {});
      ::_exit(0);
    }
    for (;;) {
      ExitStatus status;
      bool oom_killed = false;
      {
        StartOptions start;
        start.before_exec = [&](const ContainerProcess& c) { owner.running(c); };
        ContainerProcess container = start_container(spec, start);
        owner.started();
        fault_point("run-state-recorded");
        write_pidfile(spec.pidfile, container.pid());
        write_pidfile(spec.owner_pidfile, ::getpid());
        if (report.fd() >= 0) {
          report.send_noexcept(SyncKind::kPid, container.pid(), 0, {});
          report.close();
        }
        status = attach(container, relay, attach_options);
        oom_killed = container.oom_killed();
      }  // reaped: its cgroups and network helpers are gone before a restart makes new ones
      owner.exited(status, oom_killed, timed_out);
      fault_point("supervise-exit-recorded");
      // After the record: an attach that returns finds the exit in the state.
      if (server) server->container_exited(status.code());
      const unsigned done = owner.state().restart_count;
      if (!restart_wanted(spec.restart, status.code(), done) || !wait_to_restart(spec, done)) break;
      owner.restarting();
    }
    server.reset();  // the socket goes before --rm removes the directory
    owner.run_on_exit();
    ::_exit(0);
  } catch (const std::exception& e) {
    fail_start(owner, report, e);
  }
  ::_exit(1);
}

DetachedContainer start_detached(const Spec& spec, const ExitCommand& exit_command,
                                 unsigned restarts) {
  validate(spec);
  if (restarts == 0) clear_stop_request(spec.container_dir);
  auto channel = SyncChannel::make();
  pid_t middle_pid = ::fork();
  if (middle_pid < 0) throw_errno("fork the supervisor");
  if (middle_pid == 0) {
    channel.parent.close();
    // A session of our own, then fork again: the supervisor is no session leader (so it can never
    // acquire a controlling terminal) and its parent exits at once (so it is re-parented to the
    // nearest subreaper or init, and the caller does not have to reap it).
    ::setsid();
    pid_t supervisor = ::fork();
    if (supervisor < 0) ::_exit(1);
    if (supervisor > 0) ::_exit(0);
    const std::string program = supervise_program();
    if (!program.empty()) exec_supervise_program(program, spec, channel.child, exit_command, restarts);
    log_debug("no dabba-supervise beside " + self_exe_path() + ": the supervisor is a fork of dabba");
    // It lives as long as the container: its command line must not show ours (-e values).
    set_process_title("dabba-supervise " + spec.id);
    supervise(spec, channel.child.release(), exit_command, restarts);
  }
  channel.child.close();
  ChildProcess(middle_pid).wait();  // it exits at once, leaving the supervisor to init
  std::optional<SyncMessage> msg = channel.parent.receive();
  if (!msg) throw Error(Errc::kFailed, "the container's supervisor died while starting it");
  if (msg->kind == SyncKind::kError) throw_child_error(msg->code, msg->error, msg->text);
  DetachedContainer out;
  out.pid = msg->code;
  auto state = read_state(spec.container_dir);
  if (state) out.supervisor = state->supervisor_pid;
  return out;
}

}  // namespace dabba::runner
