// dabba run [FLAGS] IMAGE [COMMAND [ARG...]]
//
// The run path, in order (kept lean: `dabba run --rm IMAGE true` is benchmarked against podman):
//   1. parse and check the flags (no store, no namespace: a typo costs nothing);
//   2. enter dabba's user namespace (single-threaded, before anything else);
//   3. open the store; find the image (a stored image needs no registry config, no network) or
//      pull it per --pull; read and parse its config once;
//   4. pick the id and the name; build the Spec; record the container (pins image and layers);
//   5. foreground: start, record "running", relay signals/terminal, wait, record the exit (or,
//      with --rm, remove the record and the directory); -d: the runner's supervisor owns it and
//      (--rm) removes it after the exit, we print the id once the workload exec'd.
// Exit codes as Docker's: the container's own (128+N for signal N); 125 when dabba fails, 126 when
// the command cannot be executed, 127 when it is not found.
#include <dirent.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/container_info.h"
#include "cli/container_names.h"
#include "cli/containers.h"
#include "cli/interrupt.h"
#include "cli/progress.h"
#include "cli/run_options.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/idmap.h"
#include "common/log.h"
#include "common/userns.h"
#include "runner/attach.h"
#include "runner/container.h"
#include "runner/signals.h"
#include "runner/state.h"
#include "runner/supervisor.h"
#include "runner/terminal.h"
#include "oci/image_config.h"
#include "store/image_names.h"
#include "pull/puller.h"
#include "store/store.h"
#include "store/store_options.h"

namespace dabba::cli {
namespace {

constexpr int kExitDabbaFailed = 125;

// A --rm container's record outlives no reboot, so its two commits (add, remove) need not flush
// LMDB's meta page: a power cut may undo them (an orphan directory gc removes, or a stale record
// `rm` removes) but never breaks the store. Halves their flushes, which a busy disk makes slow.
StoreOptions store_options(bool rm) {
  StoreOptions options;
  options.sync_meta = !rm;
  return options;
}

// The runner clones and forks: every thread (the pull's workers, curl's resolver) must be gone by
// then. Checked in debug builds, where the tests run.
void assert_single_threaded() {
#ifndef NDEBUG
  int threads = 0;
  if (DIR* d = ::opendir("/proc/self/task")) {
    while (struct dirent* e = ::readdir(d))
      if (e->d_name[0] != '.') ++threads;
    ::closedir(d);
  }
  if (threads != 1) {
    std::fprintf(stderr, "dabba: bug: %d threads alive where the container is started\n", threads);
    std::abort();
  }
#endif
}

runner::ImageConfig runner_config(const dabba::ImageConfig& c) {
  runner::ImageConfig r;
  r.entrypoint = c.entrypoint.value_or(std::vector<std::string>{});
  r.cmd = c.cmd.value_or(std::vector<std::string>{});
  r.env = c.env;
  r.working_dir = c.working_dir;
  r.user = c.user;
  r.stop_signal = c.stop_signal;
  r.exposed_ports = c.exposed_ports;
  return r;
}

// The image under --pull. The common case, a stored image, reads only the store: no registry
// config, no credentials, no network.
ImageRecord resolve_image(Store& store, const RunOptions& o, const std::string& reference) {
  const PullPolicy policy = parse_pull_policy(o.pull);
  std::optional<Platform> platform;
  if (!o.platform.empty()) platform = Platform::parse(o.platform);
  if (policy != PullPolicy::kAlways) {
    if (auto img = find_local_image(store, reference)) {
      if (!platform || img->platform.empty() ||
          platform_match_rank(Platform::parse(img->platform), *platform) >= 0)
        return *img;
      if (policy == PullPolicy::kNever)
        throw Error(Errc::kNotFound, "the stored image '" + reference + "' is " + img->platform +
                                         ", not " + platform->str() + " (--pull=never)");
    }
  }
  PullOptions options = PullOptions::from_environment();
  options.platform = platform;
  ScopedInterrupt interrupt;  // gone again before the container's signal handling starts
  options.client.http.cancel = interrupt.flag();
  ProgressDisplay progress(ProgressDisplay::mode_for(STDERR_FILENO), STDERR_FILENO);
  options.progress = &progress;
  // A stored image that does not suit --platform is pulled again for the right one.
  ImageRecord img =
      ensure_image(store, reference, platform ? PullPolicy::kAlways : policy, options);
  progress.finish();
  return img;
}

// Records the container under its name (or a generated one, retried when taken).
void add_record(Store& store, ContainerRecord& record, const std::string& name_flag) {
  for (unsigned attempt = 0;; ++attempt) {
    record.name = name_flag.empty() ? generated_container_name(attempt) : name_flag;
    try {
      store.add_container(record);
      return;
    } catch (const Error& e) {
      if (e.code() != Errc::kAlreadyExists || !name_flag.empty() || attempt >= 20) throw;
    }
  }
}

void remove_record(Store& store, const std::string& id) noexcept {
  try {
    store.remove_container(id);
  } catch (const Error& e) {
    if (e.code() != Errc::kNotFound)  // `rm -f` may have been quicker
      log_warn(std::string("could not remove the container: ") + e.what());
  }
}

// A start that failed: recorded for `ps -a` as Docker shows it ("Exited (127)").
void record_failed_start(const std::string& dir, runner::ContainerState state, int code,
                         const std::string& what) noexcept {
  state.status = runner::ContainerStatus::kExited;
  state.exit_code = code;
  state.error = what;
  state.finished_at = unix_now();
  try {
    runner::write_state(dir, state);
  } catch (...) {
  }
}

// The foreground run: runner::run_foreground's steps, plus the state file, so `ps`, `stop` and
// `exec` see a foreground container as they see a detached one (this process is its supervisor).
int run_attached(Store& store, const runner::Spec& spec, bool rm) {
  runner::SignalRelay relay;  // before the clone: a Ctrl-C during the start waits in the queue
  runner::StartOptions start;
  if (spec.tty) start.terminal = runner::user_terminal_fd();
  runner::ContainerState state;
  state.supervisor_pid = ::getpid();
  std::optional<runner::ContainerProcess> container;
  try {
    assert_single_threaded();
    container.emplace(runner::start_container(spec, start));
  } catch (const Error& e) {
    const auto* exec = dynamic_cast<const runner::ExecError*>(&e);  // 126/127, else dabba's 125
    if (rm)
      remove_record(store, spec.id);
    else
      record_failed_start(spec.container_dir, state, exec ? exec->exit_code() : kExitDabbaFailed,
                          e.what());
    throw;
  }
  state.status = runner::ContainerStatus::kRunning;
  state.pid = container->pid();
  state.pid_start_time = runner::process_start_time(state.pid);
  state.started_at = unix_now();
  state.cgroups = container->cgroup_dirs();
  runner::write_state(spec.container_dir, state);

  runner::AttachOptions attach;
  attach.tty = spec.tty;
  attach.stdin_open = spec.stdin_open;
  ExitStatus status = runner::attach(*container, relay, attach);
  const bool oom = container->oom_killed();
  if (oom)
    log_warn("the kernel killed a process of the container for going over its --memory limit");
  container.reset();  // reaped, cgroups removed
  if (rm) {
    remove_record(store, spec.id);
  } else {
    state.status = runner::ContainerStatus::kExited;
    state.exit_code = status.code();
    state.oom_killed = oom;
    state.finished_at = unix_now();
    runner::write_state(spec.container_dir, state);
  }
  return status.code();
}

int run_detached(const std::string& store_root, const runner::Spec& spec, bool rm) {
  runner::OnExit on_exit;
  if (rm) {
    // In the supervisor, a fork of this process: a fresh store handle, never our LMDB env.
    on_exit = [store_root, id = spec.id](const runner::ContainerState&) {
      Store store = Store::open(store_root, store_options(true));
      remove_record(store, id);
    };
  }
  assert_single_threaded();
  runner::start_detached(spec, std::move(on_exit));
  std::printf("%s\n", spec.id.c_str());
  return kExitOk;
}

int run_container(const Globals& globals, RunOptions& o) {
  std::string reference;
  std::vector<std::string> command;
  split_image_and_command(o.rest, reference, command);
  check_run_options(o);

  enter_default_user_namespace();
  Store store = Store::open(globals.root(), store_options(o.rm));
  ImageRecord image = resolve_image(store, o, reference);
  // The config blob was verified when it was stored (and `dabba check` verifies it again): hashing
  // it on every run would cost more than the rest of this lookup (OpenSSL's start-up alone).
  dabba::ImageConfig config = parse_image_config(read_file(store.blob_path(image.config)));

  SpecInputs in;
  in.id = new_container_id();
  in.container_dir = store.container_dir(in.id);
  in.image = runner_config(config);
  in.command = std::move(command);
  for (auto l = image.layers.rbegin(); l != image.layers.rend(); ++l)
    in.layers.push_back(store.layer_dir(l->diff_id));
  runner::Spec spec = build_spec(o, in);
#if defined(__x86_64__)
  if (spec.seccomp && image.platform.find("/386") != std::string::npos)
    log_warn("the image is " + image.platform +
             ": dabba's seccomp filter refuses 32-bit system "
             "calls; run it with --security-opt seccomp=unconfined");
#endif
  if (runner::creates_user_namespace()) spec.id_map = default_id_map(host_identity());

  ContainerInfo info;
  info.image = reference;
  info.image_id = image.config.str();
  info.command = spec.argv;
  info.env = spec.env;
  info.user = spec.user;
  info.cwd = spec.cwd;
  info.hostname = spec.hostname;
  info.capabilities = spec.capabilities;
  info.seccomp = spec.seccomp;
  info.network = o.net.network;
  info.stop_signal = stop_signal_for(o, in.image);
  info.stop_timeout = stop_timeout_for(o);
  info.tty = spec.tty;
  info.auto_remove = o.rm;
  info.detach = o.detach;

  ContainerRecord record;
  record.id = in.id;
  record.image = image.manifest;
  for (const auto& l : image.layers) record.layers.push_back(l.diff_id);
  record.created = unix_now();
  record.runner_json = encode_container_info(info);
  add_record(store, record, o.name);

  if (o.detach) return run_detached(store.root(), spec, o.rm);
  return run_attached(store, spec, o.rm);
}

}  // namespace

Command add_run(CLI::App& parent) {
  auto args = std::make_shared<RunOptions>();
  Command cmd;
  cmd.app = parent.add_subcommand("run", "Run a command in a new container");
  add_run_flags(*cmd.app, *args);
  // The verb enters the user namespace itself, so that failing to is dabba's exit code 125 too.
  cmd.needs = Needs::kNothing;
  CLI::App* app = cmd.app;
  cmd.run = [args, app](const Globals& globals) {
    try {
      args->rest = app->remaining();
      return run_container(globals, *args);
    } catch (const runner::ExecError& e) {
      report_error(e);
      return e.exit_code();
    } catch (const Error& e) {
      report_error(e);
      return kExitDabbaFailed;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "dabba: error: %s\n", e.what());
      return kExitDabbaFailed;
    }
  };
  return cmd;
}

}  // namespace dabba::cli
