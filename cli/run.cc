// dabba run [FLAGS] IMAGE [COMMAND [ARG...]]
//
// The run path, in order (kept lean: `dabba run --rm IMAGE true` is benchmarked against podman):
//   1. parse and check the flags (no store, no namespace: a typo costs nothing);
//   2. enter dabba's user namespace (single-threaded, before anything else);
//   3. open the store; find the image (a stored image needs no registry config, no network) or
//      pull it per --pull; read and parse its config once;
//   4. pick the id and the name; build the Spec; record the container (pins image and layers);
//   5. foreground: the runner starts it, records it running, relays signals/terminal, waits,
//      records the exit, and (--rm) we remove the record and the directory; -d: the same in the
//      runner's supervisor, and we print the id once the workload exec'd.
// Exit codes as Docker's: the container's own (128+N for signal N); 125 when dabba fails, 126 when
// the command cannot be executed, 127 when it is not found.
#include <fcntl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/container_info.h"
#include "cli/container_names.h"
#include "cli/containers.h"
#include "cli/containers_conf.h"
#include "cli/interrupt.h"
#include "cli/progress.h"
#include "cli/run_options.h"
#include "cli/volumes.h"
#include "common/dir_stream.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/idmap.h"
#include "common/log.h"
#include "common/unique_fd.h"
#include "common/userns.h"
#include "common/version.h"
#include "oci/image_config.h"
#include "pull/puller.h"
#include "runner/container.h"
#include "runner/container_log.h"
#include "runner/run.h"
#include "runner/state.h"
#include "runner/supervisor.h"
#include "store/image_names.h"
#include "store/store.h"
#include "store/store_options.h"

namespace dabba::cli {
namespace {

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
  const size_t threads = list_dir("/proc/self/task").size();
  if (threads != 1) {
    std::fprintf(stderr, "dabba: bug: %zu threads alive where the container is started\n", threads);
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
ImageRecord resolve_image(Store& store, const RunOptions& o) {
  const std::string& reference = o.image;
  const PullPolicy policy = o.pull;
  const std::optional<Platform>& platform = o.platform;
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
    store.remove_container(id, /*with_anonymous_volumes=*/true);  // as podman's run --rm
  } catch (const Error& e) {
    if (e.code() != Errc::kNotFound)  // `rm -f` may have been quicker
      log_warn(std::string("could not remove the container: ") + e.what());
  }
}

// The foreground run: the runner records the state (ps, stop and exec see a foreground container
// as they see a detached one); --rm removes the record (and the directory) after the exit.
int run_attached(Store& store, const runner::Spec& spec, bool rm) {
  runner::OnExit on_exit;
  if (rm) {
    on_exit.run = [&store, &spec](const runner::ContainerState&) { remove_record(store, spec.id); };
    on_exit.removes_container = true;
  }
  assert_single_threaded();
  return runner::run_foreground(spec, std::move(on_exit));
}

int run_detached(const std::string& store_root, const runner::Spec& spec, bool rm) {
  runner::OnExit on_exit;
  if (rm) {
    // In the supervisor, a fork of this process: a fresh store handle, never our LMDB env.
    on_exit.run = [store_root, id = spec.id](const runner::ContainerState&) {
      Store store = Store::open(store_root, store_options(true));
      remove_record(store, id);
    };
    on_exit.removes_container = true;
  }
  assert_single_threaded();
  runner::start_detached(spec, std::move(on_exit));
  std::printf("%s\n", spec.id.c_str());
  return kExitOk;
}

// /run/.containerenv's text, as podman writes it for a --privileged container (others get the
// file empty). The engine is dabba's own name.
std::string containerenv(const ContainerRecord& record, const ContainerInfo& info,
                         const ImageRecord& image) {
  auto quoted = [](const std::string& s) { return "\"" + s + "\"\n"; };
  return "engine=" + quoted(std::string("dabba-") + kVersion) + "name=" + quoted(record.name) +
         "id=" + quoted(record.id) + "image=" + quoted(info.image) +
         "imageid=" + quoted(image.config.hex()) +
         "rootless=" + (host_identity().is_root() ? "0\n" : "1\n");
}

// --cidfile: the id, without a newline, as podman writes it; a file made meanwhile is not
// overwritten. A failure undoes the record.
void write_cidfile(Store& store, const std::string& path, const std::string& id) {
  try {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (!fd.valid()) {
      if (errno == EEXIST)
        throw Error(Errc::kAlreadyExists,
                    "container id file exists. Ensure another container is not using it or "
                    "delete " +
                        path);
      throw_errno("create the --cidfile " + path);
    }
    if (::write(fd.get(), id.data(), id.size()) != static_cast<ssize_t>(id.size()))
      throw_errno("write the --cidfile " + path);
  } catch (...) {
    remove_record(store, id);
    throw;
  }
}

int run_container(const Globals& globals, const RunOptions& o) {
  if (o.flags.tty && o.flags.interactive && !::isatty(STDIN_FILENO))
    log_warn(
        "The input device is not a TTY. The --tty and --interactive flags might not work "
        "properly");  // podman's warning; it goes on, and so do we
  enter_default_user_namespace();
  Store store = Store::open(globals.root(), store_options(o.flags.rm));
  ImageRecord image = resolve_image(store, o);
  // The config blob was verified when it was stored (and `dabba check` verifies it again): hashing
  // it on every run would cost more than the rest of this lookup (OpenSSL's start-up alone).
  dabba::ImageConfig config = parse_image_config(read_file(store.blob_path(image.config)));

  SpecInputs in;
  in.id = new_container_id();
  in.container_dir = store.container_dir(in.id);
  in.image = runner_config(config);
  for (auto l = image.layers.rbegin(); l != image.layers.rend(); ++l)
    in.layers.push_back(store.layer_dir(l->diff_id));
  runner::Spec spec = build_spec(o, in);
  std::vector<std::string> volumes = prepare_volumes(store, spec.mounts, config.volumes, in.layers);
  if (runner::creates_user_namespace()) spec.id_map = default_id_map(host_identity());
  const std::string log_path = o.log.driver != runner::LogDriver::kK8sFile ? std::string()
                               : o.log.path.empty() ? runner::container_log_path(in.container_dir)
                                                    : o.log.path;

  const ContainerInfo info{
      .image = o.image,
      .image_id = image.config.str(),
      .command = spec.argv,
      .env = spec.env,
      .user = spec.user,
      .cwd = spec.cwd,
      .hostname = spec.hostname,
      .network = o.flags.net.network,
      .capabilities = spec.capabilities,
      .seccomp = spec.seccomp,
      .seccomp_profile = spec.seccomp_profile,
      .stop_signal = stop_signal_for(o, in.image),
      .stop_timeout = o.stop_timeout,
      .tty = spec.tty,
      .auto_remove = o.flags.rm,
      .detach = o.flags.detach,
      .labels = o.labels,
      .log_driver = o.log_driver,
      .log_path = log_path,
      .log_tag = o.log_tag,
      .timeout = o.timeout,
      .cidfile = o.flags.cidfile.empty()
                     ? std::string()
                     : std::filesystem::absolute(o.flags.cidfile).lexically_normal().string()};

  ContainerRecord record;
  record.id = in.id;
  record.image = image.manifest;
  for (const auto& l : image.layers) record.layers.push_back(l.diff_id);
  record.created = unix_now();
  record.runner_json = encode_container_info(info);
  record.volumes = std::move(volumes);
  add_record(store, record, o.flags.name);
  if (o.flags.privileged) spec.etc.containerenv = containerenv(record, info, image);
  if (!o.flags.cidfile.empty()) write_cidfile(store, o.flags.cidfile, in.id);

  if (o.flags.detach) return run_detached(store.root(), spec, o.flags.rm);
  return run_attached(store, spec, o.flags.rm);
}

}  // namespace

Command add_run(CLI::App& parent) {
  auto args = std::make_shared<RunFlags>();
  Command cmd;
  cmd.app = parent.add_subcommand("run", "Run a command in a new container");
  add_run_flags(*cmd.app, *args);
  // The verb enters the user namespace itself, so that failing to is dabba's exit code 125 too.
  cmd.needs = Needs::kNothing;
  CLI::App* app = cmd.app;
  cmd.run = [args, app](const Globals& globals) {
    return with_container_exit_codes([&] {
      args->rest = app->remaining();
      // containers.conf's defaults under the flags given (the one place they are applied).
      apply_containers_conf(
          ContainersConf::load(), [app](const char* flag) { return app->count(flag) > 0; },
          *args);
      // Every flag parsed and checked before anything else (a typo costs no namespace, no store).
      return run_container(globals, parse_run_options(*args));
    });
  };
  return cmd;
}

}  // namespace dabba::cli
