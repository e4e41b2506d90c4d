#include "runner/supervisor.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ctime>

#include "common/error.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/process_title.h"
#include "runner/attach.h"
#include "runner/container.h"
#include "runner/container_log.h"
#include "runner/signals.h"
#include "runner/sync_channel.h"

namespace dabba::runner {
namespace {

int64_t now_seconds() { return static_cast<int64_t>(::time(nullptr)); }

int open_log(const std::string& path) {
  return DABBA_SYSCALL(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640), path);
}

// A start that failed: record it (for `ps -a`) before telling the caller, so the state is final
// when the caller returns; then on_exit.
void fail_start(const Spec& spec, ContainerState& state, SyncChannel& report, int code, int err,
                const std::string& what, const std::string& hint, const OnExit& on_exit) noexcept {
  state.status = ContainerStatus::kExited;
  state.exit_code = code;  // as `docker ps -a` shows: Exited (127) for a missing command
  state.error = what;
  state.finished_at = now_seconds();
  try {
    write_state(spec.container_dir, state);
  } catch (...) {
  }
  std::string text = what;
  if (!hint.empty()) text += std::string(1, '\0') + hint;
  report.send_noexcept(SyncKind::kError, code, err, text);
  report.close();
  try {
    if (on_exit) on_exit(state);
  } catch (...) {
  }
}

// The supervisor proper. Never returns.
[[noreturn]] void supervise(const Spec& spec, SyncChannel& report, const OnExit& on_exit) noexcept {
  ContainerState state;
  state.supervisor_pid = ::getpid();
  try {
    // Own stdio: nothing of the caller's (a `$(dabba run -d ...)` would wait for our stdout).
    std::string logs = log_dir(spec.container_dir);
    make_dirs(logs, 0750);
    int null = DABBA_SYSCALL(::open("/dev/null", O_RDWR | O_CLOEXEC));
    int own_log = open_log(logs + "/supervisor.log");
    DABBA_SYSCALL(::dup2(null, 0));
    DABBA_SYSCALL(::dup2(own_log, 1));
    DABBA_SYSCALL(::dup2(own_log, 2));
    ::close(null);
    ::close(own_log);
    // And nothing else of the caller's either: keep only the report channel, as fd 3.
    if (!report.move_to(3)) throw_errno("move the report channel");
    ::close_range(4, ~0u, 0);

    // The container's output reaches its log only through us (io_relay.h): it holds no fd of it.
    LogWriter log(UniqueFd(open_log(container_log_path(spec.container_dir))));
    SignalRelay relay;
    ContainerProcess container = start_container(spec);

    state.status = ContainerStatus::kRunning;
    state.pid = container.pid();
    state.pid_start_time = process_start_time(container.pid());
    state.started_at = now_seconds();
    state.cgroups = container.cgroup_dirs();
    write_state(spec.container_dir, state);
    report.send_noexcept(SyncKind::kPid, container.pid(), 0, {});
    report.close();

    // Nobody types into a detached container (there is no attach verb): with -t the workload reads
    // nothing and waits, as `docker run -dit IMAGE sh` does; exec -it is the way in.
    AttachOptions attach_options;
    attach_options.tty = spec.tty;
    attach_options.stdin_open = false;
    attach_options.out = -1;
    attach_options.err = -1;
    attach_options.log = &log;
    attach_options.hang_up_on_output_loss = false;
    ExitStatus status = attach(container, relay, attach_options);
    state.status = ContainerStatus::kExited;
    state.exit_code = status.code();
    state.oom_killed = container.oom_killed();
    state.finished_at = now_seconds();
    write_state(spec.container_dir, state);
    if (state.oom_killed) log_warn("the container went over its --memory limit");
    try {
      if (on_exit) on_exit(state);
    } catch (const std::exception& e) {
      log_error(std::string("after the container exited: ") + e.what());
    }
    ::_exit(0);
  } catch (const ExecError& e) {
    fail_start(spec, state, report, e.exit_code(), 0, e.what(), "", on_exit);
  } catch (const Error& e) {
    fail_start(spec, state, report, 125, e.sys_errno(), e.what(), e.hint(), on_exit);
  } catch (const std::exception& e) {
    fail_start(spec, state, report, 125, 0, e.what(), "", on_exit);
  }
  ::_exit(1);
}

}  // namespace

DetachedContainer start_detached(const Spec& spec, OnExit on_exit) {
  validate(spec);
  auto channel = SyncChannel::make();
  pid_t middle = ::fork();
  if (middle < 0) throw_errno("fork the supervisor");
  if (middle == 0) {
    channel.parent.close();
    // A session of our own, then fork again: the supervisor is no session leader (so it can never
    // acquire a controlling terminal) and its parent exits at once (so it is re-parented to the
    // nearest subreaper or init, and the caller does not have to reap it).
    ::setsid();
    pid_t supervisor = ::fork();
    if (supervisor < 0) ::_exit(1);
    if (supervisor > 0) ::_exit(0);
    // It lives as long as the container: its command line must not show ours (-e values).
    set_process_title("dabba-supervise " + spec.id);
    supervise(spec, channel.child, on_exit);
  }
  channel.child.close();
  int st;
  while (::waitpid(middle, &st, 0) < 0 && errno == EINTR) {
  }
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
