#include "cli/new_container.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <optional>

#include "cli/archive_source.h"
#include "cli/container_info.h"
#include "cli/container_names.h"
#include "cli/container_removal.h"
#include "cli/containers.h"
#include "cli/interrupt.h"
#include "cli/network_attachment.h"
#include "cli/progress.h"
#include "cli/userns_options.h"
#include "cli/volumes.h"
#include "cli/volumes_from.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/idmap.h"
#include "common/log.h"
#include "common/unique_fd.h"
#include "common/userns.h"
#include "common/version.h"
#include "oci/image_config.h"
#include "pull/image_source.h"
#include "pull/puller.h"
#include "runner/container.h"
#include "runner/container_log.h"
#include "runner/etc_files.h"
#include "runner/net/network_parse.h"
#include "runner/spec_codec.h"
#include "store/image_names.h"
#include "store/networks.h"

namespace dabba::cli {

// A --rm container's record outlives no reboot, so its two commits (add, remove) need not flush
// LMDB's meta page: a power cut may undo them (an orphan directory gc removes, or a stale record
// `rm` removes) but never breaks the store. Halves their flushes, which a busy disk makes slow.
StoreOptions container_store_options(bool rm) {
  StoreOptions options;
  options.sync_meta = !rm;
  return options;
}

namespace {

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

struct ResolvedImage {
  ImageRecord image;
  std::string name;  // what the container records as its image: the name typed, or loaded
};

// The image under --pull. The common case, a stored image, reads only the store: no registry
// config, no credentials, no network.
ResolvedImage resolve_image(Store& store, const RunOptions& o) {
  const ImageSource source = parse_image_source(o.image);
  if (source.kind == ImageSource::Kind::kArchive) {
    // As podman: loaded at every run (--pull means nothing to an archive).
    const LoadedImage loaded =
        load_archive_source(store, source.text, o.platform, o.flags.quiet).front();
    return {loaded.image, loaded_image_name(loaded)};
  }
  const std::string& reference = source.text;
  const PullPolicy policy = o.pull;
  const std::optional<Platform>& platform = o.platform;
  if (policy != PullPolicy::kAlways) {
    if (auto img = find_local_image(store, reference)) {
      if (!platform || img->platform.empty() ||
          platform_match_rank(Platform::parse(img->platform), *platform) >= 0)
        return {*img, reference};
      if (policy == PullPolicy::kNever)
        throw Error(Errc::kNotFound, "the stored image '" + reference + "' is " + img->platform +
                                         ", not " + platform->str() + " (--pull=never)");
    }
  }
  PullOptions options = PullOptions::from_environment();
  options.platform = platform;
  // Gone again before the container's signal handling starts.
  ScopedInterrupt interrupt(options.client.http.cancel);
  ProgressDisplay progress(LiveLines::for_stderr(o.flags.quiet), STDERR_FILENO);
  options.progress = &progress;
  // A stored image that does not suit --platform is pulled again for the right one.
  ImageRecord img =
      ensure_image(store, reference, platform ? PullPolicy::kAlways : policy, options);
  progress.finish();
  return {img, reference};
}

// Records the container under its name (or a generated one, retried when taken).
void add_record(Store& store, ContainerRecord& record, const std::string& name_flag,
                const std::function<void(const ContainerRecord&)>& before_commit) {
  for (unsigned attempt = 0;; ++attempt) {
    record.name = name_flag.empty() ? generated_container_name(attempt) : name_flag;
    try {
      store.add_container(record, before_commit);
      return;
    } catch (const Error& e) {
      if (e.code() != Errc::kAlreadyExists || !name_flag.empty() || attempt >= 20) throw;
    }
  }
}

}  // namespace

void remove_container_record(Store& store, const std::string& id) noexcept {
  try {
    store.remove_container(id, /*with_anonymous_volumes=*/true);  // as podman's run --rm
  } catch (const Error& e) {
    if (e.code() != Errc::kNotFound)  // `rm -f` may have been quicker
      log_warn(std::string("could not remove the container: ") + e.what());
  }
}

namespace {

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
    remove_container_record(store, id);
    throw;
  }
}

// The caller and dabba's namespace, for --userns (userns_options.h).
UsernsHost userns_host() {
  const HostIdentity& who = host_identity();
  UsernsHost host;
  host.root = who.is_root() && in_initial_user_namespace();
  host.uid = who.uid;
  host.gid = who.gid;
  if (struct passwd* pw = ::getpwuid(who.uid)) {
    host.user = pw->pw_name;
    host.gecos = pw->pw_gecos ? pw->pw_gecos : "";
    host.home = pw->pw_dir ? pw->pw_dir : "";
  }
  if (struct group* gr = ::getgrgid(who.gid)) host.group = gr->gr_name;
  if (!host.root) host.outer = current_id_map();
  return host;
}

// --hostuser: the host's entry as podman writes it (password "*", the working directory as home,
// /bin/sh), appended by the runner where the container's /etc/passwd lacks the name and the uid.
void add_host_users(const std::vector<std::string>& names, runner::Spec& spec) {
  for (const std::string& name : names) {
    struct passwd* pw = ::getpwnam(name.c_str());
    const bool number = !name.empty() && name.size() <= 10 &&
                        name.find_first_not_of("0123456789") == std::string::npos;
    if (!pw && number) pw = ::getpwuid(static_cast<uid_t>(std::stoul(name)));
    if (!pw)  // podman finds out at the start: run's 126
      throw runner::ExecError(
          kExitNotExecutable,
          "creating temporary passwd file for container: user: unknown user " + name);
    spec.passwd_entries.push_back(std::string(pw->pw_name) + ":*:" + std::to_string(pw->pw_uid) +
                                  ":" + std::to_string(pw->pw_gid) + ":" +
                                  (pw->pw_gecos ? pw->pw_gecos : "") + ":" + spec.cwd + ":/bin/sh");
  }
}

// The user's mounts as the record keeps them (container_info.h).
std::vector<ContainerMount> container_mounts(const std::vector<runner::MountSpec>& mounts) {
  std::vector<ContainerMount> out;
  for (const runner::MountSpec& m : mounts) {
    ContainerMount c;
    c.type = m.kind == runner::MountSpec::Kind::kTmpfs ? "tmpfs" : m.volume ? "volume" : "bind";
    if (m.volume) c.name = *m.volume;
    if (m.kind == runner::MountSpec::Kind::kBind) c.source = m.source;
    c.destination = m.target;
    c.read_only = m.read_only;
    c.options = m.tmpfs_options;
    out.push_back(std::move(c));
  }
  return out;
}

// The networks as inspect shows them.
std::vector<ContainerNetwork> container_networks(const runner::NetworkSpec& network) {
  std::vector<ContainerNetwork> out;
  for (const auto& a : network.networks)
    out.push_back({a.name, a.ip, a.gateway, a.prefix, a.aliases, a.mac});
  return out;
}

// --network container:NAME: that container's directory for the runner (which joins its PID 1's
// namespace at each start), and its /etc/hosts and /etc/resolv.conf, which podman shares too.
// Returns the mode as inspect shows it, "container:ID".
std::string share_network(const Store& store, runner::Spec& spec) {
  const ContainerRecord target = find_container(store, spec.network.options);
  spec.network.container_dir = store.container_dir(target.id);
  const std::string etc = runner::etc_files_dir(spec.network.container_dir);
  std::string text;
  if (read_file_if_exists(etc + "/hosts", text)) spec.etc.hosts = text;
  if (read_file_if_exists(etc + "/resolv.conf", text)) spec.etc.resolv_conf = text;
  return "container:" + target.id;
}

// --ipc container:NAME: NAME's directory, for the runner to find its PID 1; NAME's IPC must be
// shareable (podman's default; private and none are not). Returns inspect's IpcMode.
std::string share_ipc(const Store& store, runner::Spec& spec) {
  const ContainerRecord target = find_container(store, spec.ipc_container);
  const std::string mode = decode_container_info(target.runner_json).ipc_mode;
  if (mode == "private" || mode == "none")
    throw Error(Errc::kInvalidArgument,
                "joining the IPC namespace of container " + spec.ipc_container +
                    " is not allowed: non-shareable IPC (hint: use IpcMode:shareable for the "
                    "donor container)");
  spec.ipc_container_dir = store.container_dir(target.id);
  return "container:" + target.id;
}

// --network NAME...: each network's config for netavark, the container's interface and address
// on it (leased now: it is known before the start, for /etc/hosts, and kept for the container's
// life).
void attach_networks(const Store& store, const std::string& id, runner::NetworkSpec& network) {
  std::vector<std::string> seen;
  for (size_t i = 0; i < network.networks.size(); ++i) {
    runner::NetworkAttachment& a = network.networks[i];
    std::optional<Network> found = find_network(store.root(), a.name);
    if (!found)
      throw Error(Errc::kNotFound,
                  "unable to find network with name or ID " + a.name + ": network not found", 0,
                  "create it first: dabba network create " + a.name);
    if (std::find(seen.begin(), seen.end(), found->name) != seen.end())
      throw Error(Errc::kInvalidArgument, "network " + found->name + " is given twice");
    seen.push_back(found->name);
    describe_attachment(*found, a);
    if (a.interface.empty()) a.interface = "eth" + std::to_string(i);
    if (a.mac.empty()) a.mac = runner::random_mac_address();
    a.ip = lease_address(store.root(), *found, id, a.ip, [&](const std::string& other) {
      return store.container(other).has_value();
    });
  }
}

}  // namespace

void replace_named_container(const std::string& store_root, const RunOptions& o) {
  if (!o.flags.replace || o.flags.name.empty()) return;
  {
    Store store = Store::open(store_root);
    if (!store.container(o.flags.name)) return;
  }
  ContainerRemoval how;
  how.force = true;
  how.ignore_missing = true;  // removed meanwhile: as asked
  std::optional<Error> failed;
  how.on_error = [&](const std::string&, const Error& e) { failed = e; };
  remove_containers(store_root, {o.flags.name}, how);
  if (failed) throw *failed;
}

runner::Spec new_container(Store& store, const RunOptions& o, SaveSpec save) {
  const ResolvedImage resolved = resolve_image(store, o);
  const ImageRecord& image = resolved.image;
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
  const std::string network_mode = spec.network.mode == runner::NetworkMode::kContainer
                                       ? share_network(store, spec)
                                   : spec.network.mode == runner::NetworkMode::kBridge
                                       ? "bridge"  // podman's NetworkMode for its networks
                                       : o.flags.net.network;
  if (spec.network.mode == runner::NetworkMode::kBridge)
    attach_networks(store, in.id, spec.network);
  const std::string ipc_mode = !spec.ipc_container.empty() ? share_ipc(store, spec)
                               : spec.host_ipc             ? "host"
                               : spec.ipc_none             ? "none"
                               : o.flags.ipc == "private"  ? "private"
                                                           : "";
  add_volumes_from(store, o.volumes_from, spec.mounts);
  const UsernsHost host = userns_host();
  // A namespace nested in dabba's with another map would see the image's owners shifted (keep-id:
  // root's files as yours): it runs on copies of the layers owned for its map, as podman's
  // storage chowns them (store/mapped_layers.h); a new volume is filled from those copies too.
  if (o.userns.mode != UsernsMode::kHost && !host.root &&
      spec.layers.size() == image.layers.size()) {
    const IdMap nested = userns_map(o.userns, host);
    for (size_t i = 0; i < spec.layers.size(); ++i)
      spec.layers[i] =
          store.mapped_layer_dir(image.layers[image.layers.size() - 1 - i].diff_id, nested);
  }
  std::vector<std::string> volumes =
      prepare_volumes(store, spec.mounts, config.volumes, spec.layers);
  if (runner::creates_user_namespace()) spec.id_map = default_id_map(host_identity());
  apply_userns(o.userns, host, o.flags.user.has_value(), spec);
  add_host_users(o.flags.hostuser, spec);
  const std::string log_path = o.log.driver != runner::LogDriver::kK8sFile ? std::string()
                               : o.log.path.empty() ? runner::container_log_path(in.container_dir)
                                                    : o.log.path;

  const ContainerInfo info{
      .image = resolved.name,
      .image_name = find_name(store, resolved.name).value_or(""),
      .image_id = image.config.str(),
      .oci_runtime = o.flags.runtime,
      .command = spec.argv,
      .env = spec.env,
      .user = spec.user,
      .cwd = spec.cwd,
      .hostname = spec.hostname,
      .network = network_mode,
      .capabilities = spec.capabilities,
      .seccomp = spec.seccomp,
      .seccomp_profile = spec.seccomp_profile,
      .group_add = spec.group_add,
      .stop_signal = stop_signal_for(o, in.image),
      .stop_timeout = o.stop_timeout,
      .tty = spec.tty,
      .auto_remove = o.flags.rm,
      .detach = o.flags.detach,
      .labels = o.labels,
      .log_driver = o.log_driver,
      .log_path = log_path,
      .log_tag = o.log_tag,
      .log_max_size = o.log.max_size.value_or(0),
      .timeout = o.timeout,
      .restart = runner::format_restart_policy(o.restart),
      .cidfile = o.flags.cidfile.empty()
                     ? std::string()
                     : std::filesystem::absolute(o.flags.cidfile).lexically_normal().string(),
      .userns_mode = userns_mode_name(o.userns),
      .uid_map = o.userns.mode == UsernsMode::kHost ? std::vector<std::string>()
                                                    : id_mapping_texts(spec.id_map.uids),
      .gid_map = o.userns.mode == UsernsMode::kHost ? std::vector<std::string>()
                                                    : id_mapping_texts(spec.id_map.gids),
      .mounts = container_mounts(spec.mounts),
      .oom_score_adj = o.oom_score_adj.value_or(0),
      .created_ns = unix_now_ns(),
      .uts_mode = spec.host_uts ? "host" : "",
      .ipc_mode = ipc_mode,
      .networks = container_networks(spec.network)};

  ContainerRecord record;
  record.id = in.id;
  record.image = image.manifest;
  for (const auto& l : image.layers) record.layers.push_back(l.diff_id);
  record.created = unix_now();
  record.runner_json = encode_container_info(info);
  record.volumes = std::move(volumes);
  // The spec is completed and saved before the record commits: a record is never without it.
  add_record(store, record, o.flags.name, [&](const ContainerRecord& stored) {
    if (spec.network.mode == runner::NetworkMode::kBridge ||
        spec.network.mode == runner::NetworkMode::kSlirp4netns) {
      // Its name and addresses are known now: the others resolve it by name, its /etc/hosts too.
      spec.network.container_name = stored.name;
      runner::EtcFiles etc = runner::default_etc_files(spec.hostname, spec.network);
      spec.etc.hosts = etc.hosts;
      spec.etc.resolv_conf = etc.resolv_conf;
    }
    if (o.flags.privileged) spec.etc.containerenv = containerenv(stored, info, image);
    if (save != SaveSpec::kNo) runner::save_spec(spec, /*durable=*/true);
  });
  if (!o.flags.cidfile.empty()) write_cidfile(store, o.flags.cidfile, in.id);
  return spec;
}

}  // namespace dabba::cli
