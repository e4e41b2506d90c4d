#include "runner/container.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <optional>

#include "common/fs.h"
#include "common/idmap.h"
#include "common/log.h"
#include "common/proc_stat.h"
#include "common/userns.h"
#include "runner/cgroups.h"
#include "runner/clone.h"
#include "runner/container_child.h"
#include "runner/devices.h"
#include "runner/etc_files.h"
#include "runner/exec_shim.h"
#include "runner/mount_plan.h"
#include "runner/net/network.h"
#include "runner/rlimits.h"
#include "runner/seccomp.h"
#include "runner/state.h"
#include "runner/sync_channel.h"

namespace dabba::runner {

bool creates_user_namespace() { return ::geteuid() == 0 && in_initial_user_namespace(); }

namespace {

bool is_identity(const std::vector<IdMapping>& ranges) {
  return ranges.size() == 1 && ranges[0].inside == 0 && ranges[0].outside == 0 &&
         ranges[0].count >= 0xffffffffu - 1;
}

}  // namespace

bool nested_user_namespace(const Spec& spec) {
  if (spec.id_map.uids.empty()) return false;
  // Real root's own map (the identity) is made at clone time, owning every namespace.
  return !(creates_user_namespace() && is_identity(spec.id_map.uids) &&
           is_identity(spec.id_map.gids));
}

void throw_child_error(int code, int err, const std::string& text) {
  auto nul = text.find('\0');
  std::string message = text.substr(0, nul);
  std::string hint = nul == std::string::npos ? "" : text.substr(nul + 1);
  if (code == kExitNotExecutable || code == kExitNotFound) throw ExecError(code, message);
  if (message.empty()) message = "the container's setup failed";
  throw Error(err ? errc_from_errno(err) : Errc::kFailed, message, 0, hint);
}

void throw_start_failure(const SyncMessage& msg, const std::string& argv0) {
  // The shim found the program (dabba searched PATH before): its failure is the exec's own.
  if (msg.kind == SyncKind::kExecFailed)
    throw ExecError(msg.code, exec_failure_text(argv0, msg.error, false));
  if (msg.kind == SyncKind::kError) throw_child_error(msg.code, msg.error, msg.text);
  throw Error(Errc::kFailed, "unexpected message from the container's setup process");
}

std::optional<winsize> terminal_window(int terminal) {
  struct winsize ws;
  if (terminal < 0 || ::ioctl(terminal, TIOCGWINSZ, &ws) != 0) return std::nullopt;
  return ws;
}

ContainerProcess::ContainerProcess() = default;

ContainerProcess::ContainerProcess(ContainerProcess&&) noexcept = default;

ContainerProcess::~ContainerProcess() {
  if (!child_.running()) return;
  child_.stop(SIGKILL, std::chrono::milliseconds(0));
  finish();
}

void ContainerProcess::finish() noexcept {
  if (finished_) return;
  finished_ = true;
  io_ = IoEnds{};
  if (cgroup_) {
    oom_killed_ = cgroup_->oom_killed();
    cgroup_->remove();
  }
  if (network_) network_->parent_container_exited();
}

std::optional<ExitStatus> ContainerProcess::try_wait() {
  std::optional<ExitStatus> status = child_.wait(std::chrono::milliseconds(0));
  if (status) finish();
  return status;
}

ExitStatus ContainerProcess::wait() {
  ExitStatus status = with_context("wait for the container", [&] { return child_.wait(); });
  finish();
  return status;
}

std::vector<std::string> ContainerProcess::cgroup_dirs() const {
  std::vector<std::string> out;
  if (cgroup_)
    for (const auto& d : cgroup_->dirs()) out.push_back(d.path);
  return out;
}

namespace {

void prepare_container_dir(const Spec& spec) {
  make_dirs(spec.container_dir, 0700);
  make_dirs(rootfs_dir(spec.container_dir), 0755);
  if (!spec.read_only) {
    const std::string upper = upper_dir(spec.container_dir);
    const bool fresh = !path_exists(upper);
    make_dirs(upper, 0755);
    // The merged root's mode and owner are the upper dir's. Its owner: the top layer's root's
    // (root, owned for a nested namespace's map). Its mode: 0555, as podman's containers see /
    // (containers/storage makes every layer's directory 0555 and inherits it), until the
    // container changes it.
    struct stat st;
    if (fresh && !spec.layers.empty() && ::stat(spec.layers.front().c_str(), &st) == 0) {
      if (::lchown(upper.c_str(), st.st_uid, st.st_gid) != 0 && errno != EPERM)
        throw_errno("chown " + upper);
      DABBA_SYSCALL(::chmod(upper.c_str(), 0555), upper);
    }
    make_dirs(work_dir(spec.container_dir), 0700);
  }
  write_etc_files(spec.container_dir, spec.etc);
}

// A namespace (ns: "net", "ipc") of the container --network/--ipc container:NAME names, through
// its PID 1 (checked against the recorded start time, so a recycled pid is never joined). Throws
// Error{kConflict} when that container is not running.
UniqueFd open_container_ns(const std::string& container_dir, const std::string& name,
                           const char* ns, const char* what) {
  const std::optional<ContainerState> state = read_state(container_dir);
  const std::string message = std::string("cannot join the ") + what + " namespace of container " +
                              name + ": it is not running";
  if (!state || !alive(*state))
    throw Error(Errc::kConflict, message, 0, "start it first: dabba start " + name);
  const std::string path = "/proc/" + std::to_string(state->pid) + "/ns/" + ns;
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid() || process_start_time(state->pid) != state->pid_start_time)
    throw Error(Errc::kConflict, message);
  return fd;
}

ContainerChildSetup child_setup(const Spec& spec, const StartOptions& options, bool new_userns,
                                bool nested_userns) {
  ContainerChildSetup setup;
  MountHost host;
  host.own_network_namespace = has_own_network_namespace(spec.network.mode);
  if (spec.privileged) host.host_devices = list_host_devices();
  host.devices = device_binds(spec.devices);
  host.host_mqueue = spec.host_ipc && path_exists("/dev/mqueue");
  host.tty_gid_mapped = new_userns ? spec.id_map.maps_gid(5) : current_id_map().maps_gid(5);
  setup.mounts = plan_mounts(spec, host);
  // --uts host: the host's hostname stays (none is set).
  setup.hostname = spec.host_uts           ? std::string()
                   : spec.hostname.empty() ? spec.id.substr(0, 12)
                                           : spec.hostname;
  setup.wait_for_id_map = new_userns;
  setup.own_network_namespace = host.own_network_namespace;
  setup.workload = workload_setup(spec, options);
  setup.workload.create_cwd = spec.create_cwd;
  setup.workload.missing_cwd_is_126 = !spec.create_cwd;
  setup.workload.init = spec.init;
  for (const MountSpec& m : spec.mounts)
    if (m.chown) setup.workload.chown_paths.push_back(m.target);
  setup.workload.rlimits = container_rlimits(spec.ulimits, spec.ulimit_host);
  // Real root lowers it from here, in the host's namespace (rlimits.h); rootless, the child.
  if (!new_userns) setup.workload.oom_score_adj = spec.oom_score_adj;
  setup.sysctls = spec.sysctls;
  setup.unshare_userns = nested_userns;
  setup.passwd_entries = spec.passwd_entries;
  setup.group_entries = spec.group_entries;
  return setup;
}

}  // namespace

ContainerProcess start_container(const Spec& spec, const StartOptions& options) {
  validate(spec);
  // Real root's namespace comes with the clone; a --userns one is nested later (container_child.h).
  const bool nested_userns = nested_user_namespace(spec);
  const bool new_userns = creates_user_namespace() && !nested_userns;
  if (new_userns && spec.id_map.uids.empty())
    throw Error(Errc::kInvalidArgument, "the container's id map is empty");
  prepare_container_dir(spec);
  // Real root's child is in a new user namespace, where no hard limit can be raised: raise ours
  // first (child_setup() then takes the defaults from them).
  if (creates_user_namespace()) raise_hard_limits(spec.ulimits, spec.ulimit_host);
  ContainerChildSetup setup = child_setup(spec, options, new_userns, nested_userns);
  if (log_enabled(LogLevel::kDebug))
    for (const auto& line : setup.mounts.describe()) log_debug("mount plan: " + line);

  // --network container:NAME: its PID 1's namespace, which the child joins first (dabba's user
  // namespace owns it). Real root's child is in a user namespace of its own, which owns neither
  // that namespace nor any way back to ours: not there yet.
  const UniqueFd joined_netns =
      spec.network.mode != NetworkMode::kContainer
          ? UniqueFd()
          : open_container_ns(spec.network.container_dir, spec.network.options, "net", "network");
  if (joined_netns.valid() && new_userns)
    throw Error(Errc::kUnsupported, "--network container: is not supported as real root yet", 0,
                "run dabba as an ordinary user for it");
  setup.join_netns_fd = joined_netns.valid() ? joined_netns.get() : -1;
  // --ipc container:NAME the same way (its mqueue then mounted for that namespace).
  const UniqueFd joined_ipcns =
      spec.ipc_container.empty()
          ? UniqueFd()
          : open_container_ns(spec.ipc_container_dir, spec.ipc_container, "ipc", "IPC");
  if (joined_ipcns.valid() && new_userns)
    throw Error(Errc::kUnsupported, "--ipc container: is not supported as real root yet", 0,
                "run dabba as an ordinary user for it");
  setup.join_ipcns_fd = joined_ipcns.valid() ? joined_ipcns.get() : -1;

  ContainerProcess proc;
  // Limits are checked and written before anything runs: a missing delegation is an error here.
  proc.cgroup_ = ContainerCgroup::create_for(spec.limits, "dabba-" + spec.id, spec.cgroup_parent);
  proc.network_ = make_network_setup(spec);
  // The child waits for our go only when we have something to do before it execs.
  setup.workload.wait_for_go =
      proc.cgroup_ != nullptr || proc.network_ != nullptr || options.before_exec != nullptr;

  // Without -t the container's stdio are pipes dabba copies (io_relay.h), never our own fds.
  // Except --log-driver passthrough: the caller's own stdout and stderr (and stdin with -i), as
  // podman's passthrough driver does, nothing copied and nothing logged.
  std::optional<StdioPipes> pipes;
  if (!spec.tty && spec.log.driver == LogDriver::kPassthrough) {
    setup.stdio = {spec.stdin_open ? 0 : -1, spec.attach_stdout ? 1 : -1,
                   spec.attach_stderr ? 2 : -1};
  } else if (!spec.tty) {
    pipes = StdioPipes::make(spec.stdin_open);
    setup.stdio = pipes->child();
  }

  auto channel = SyncChannel::make();
  uint64_t flags = CLONE_NEWNS | CLONE_NEWPID;
  if (!spec.host_uts) flags |= CLONE_NEWUTS;
  if (!spec.host_ipc) flags |= CLONE_NEWIPC;
  if (setup.own_network_namespace) flags |= CLONE_NEWNET;
  if (new_userns) flags |= CLONE_NEWUSER;

  CloneResult child = clone_process(flags);
  if (child.pid == 0) {
    channel.parent.close();
    container_child_main(channel.child, setup);
  }
  proc.child_ = ChildProcess(child.pid, std::move(child.pidfd));
  channel.child.close();
  if (pipes) {
    pipes->close_child_ends();
    proc.io_ = pipes->take_ends();
  }
  SyncChannel& sync = channel.parent;

  // Any throw from here kills and reaps the child (~ContainerProcess) and lets the error through.
  if (new_userns) {
    with_context("map the container's user namespace",
                 [&] { write_id_map(proc.pid(), spec.id_map); });
    if (spec.oom_score_adj)
      set_oom_score_adj("/proc/" + std::to_string(proc.pid()), *spec.oom_score_adj);
    sync.send(SyncKind::kProceed);
  }
  if (proc.cgroup_) proc.cgroup_->add_process(proc.pid());
  if (proc.network_) proc.network_->parent_child_created(proc.pid());

  auto expect = [&](SyncKind kind) -> std::optional<SyncMessage> {
    std::optional<SyncMessage> msg = sync.receive();
    if (msg && (msg->kind == SyncKind::kError || msg->kind == SyncKind::kExecFailed)) {
      proc.wait();
      throw_start_failure(*msg, spec.argv[0]);
    }
    if (msg && msg->kind != kind)
      throw Error(Errc::kFailed, "unexpected message from the container's setup process");
    return msg;
  };

  if (nested_userns) {
    std::optional<SyncMessage> unshared = expect(SyncKind::kUnshared);
    if (!unshared) {
      ExitStatus st = proc.wait();
      throw Error(Errc::kFailed, "the container's setup process died (" + st.describe() + ")");
    }
    with_context("map the container's user namespace",
                 [&] { write_id_map(proc.pid(), spec.id_map); });
    sync.send(SyncKind::kProceed);
  }
  std::optional<SyncMessage> ready = expect(SyncKind::kReady);
  if (!ready) {
    ExitStatus st = proc.wait();
    throw Error(Errc::kFailed, "the container's setup process died (" + st.describe() + ")");
  }
  if (spec.tty) {
    if (!ready->fd.valid()) throw Error(Errc::kFailed, "the container sent no pty");
    proc.io_.pty = std::move(ready->fd);
  }
  if (setup.workload.wait_for_go) {
    if (proc.network_) proc.network_->parent_before_exec();
    if (options.before_exec) options.before_exec(proc);
    if (!sync.send_noexcept(SyncKind::kExec, 0, 0, {})) {
      // Its first process is gone (waiting for our go, it sends nothing): killed by a `kill` or
      // `rm -f` of the container before_exec recorded as running.
      const ExitStatus st = proc.wait();
      throw Error(Errc::kFailed,
                  "the container's first process ended before its command ran (" +
                      st.describe() + ")");
    }
  }
  // EOF: the workload's exec closed the child's O_CLOEXEC end. Anything else is a failure.
  if (std::optional<SyncMessage> after = sync.receive()) {
    proc.wait();
    throw_start_failure(*after, spec.argv[0]);
  }
  return proc;
}

}  // namespace dabba::runner
