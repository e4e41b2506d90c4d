// What a container is, as plain data: the runner's whole input. The CLI fills it from the store
// (layer directories, the image config) and the flags; nothing in here touches the system, so it
// can be built and checked in unit tests. The sandbox executes it (container.h).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/idmap.h"
#include "runner/capabilities.h"
#include "runner/devices.h"
#include "runner/masked_paths.h"
#include "runner/net/network_spec.h"
#include "runner/restart_policy.h"
#include "runner/rlimits.h"
#include "runner/sysctl.h"

namespace dabba::runner {

// How the container reaches the network (NetworkMode: net/network_spec.h). kNone and kSlirp4netns
// both get a network namespace of their own (with lo up); kSlirp4netns additionally needs a
// NetworkSetup (network.h) that the parent runs once the namespace exists and before the workload
// execs; kContainer joins another container's.
// "none" | "host" | "slirp4netns[:options]" | "container:NAME"; the options are checked and
// parsed into slirp.
struct NetworkSpec {
  NetworkMode mode = NetworkMode::kNone;
  std::string options;  // what followed "slirp4netns:" or "container:" (the name), untouched
  // kContainer: the directory of the container whose network namespace is joined (the CLI
  // resolves the name); its PID 1 at start time is the namespace's holder.
  std::string container_dir;
  SlirpOptions slirp;  // options, parsed (network_parse.h)
  // kBridge: the networks, in order (the first is eth0, its gateway the default route), and the
  // name the others resolve the container by.
  std::vector<NetworkAttachment> networks;
  std::string container_name;
  std::vector<PortMapping> ports;        // -p (slirp4netns only)
  std::vector<std::string> dns;          // --dns: replaces the default nameservers
  std::vector<HostEntry> extra_hosts;    // --add-host
  std::vector<std::string> dns_search;   // --dns-search: replaces resolv.conf's search ("." none)
  std::vector<std::string> dns_options;  // --dns-opt: replaces its options
  // containers.conf: base_hosts_file's text (its lines first in /etc/hosts; a name it has is not
  // written again), host_containers_internal_ip (host.containers.internal's address).
  std::string base_hosts;
  std::string host_internal_ip;
  // kBridge: how the user's networks' namespace reaches the outside when this container starts
  // it (containers.conf's default_rootless_network_cmd): slirp4netns or pasta.
  bool holder_via_pasta = false;
};
NetworkSpec parse_network(const std::string& text);

// A -v bind or a --tmpfs, placed after the container's own mounts, parents before children.
struct MountSpec {
  enum class Kind { kBind, kTmpfs };
  Kind kind = Kind::kBind;
  std::string source;  // kBind: host path (absolute)
  std::string target;  // absolute path inside the container
  bool read_only = false;
  std::string tmpfs_options;  // kTmpfs: "size=64m,mode=1777" style, may be empty
  // -v NAME:/path (a named volume) or -v /path (anonymous: volume "" until the CLI names it):
  // the CLI finds or creates the volume and sets source to its directory before the run.
  std::optional<std::string> volume;
  // -v ...:U: the source chowned (recursively) to the container's user at each start, when its
  // top is not theirs already (podman's :U).
  bool chown = false;
  bool operator==(const MountSpec&) const = default;
};
// "-v SRC:DST[:OPTS]": SRC an absolute host path, or a volume name ([a-zA-Z0-9][a-zA-Z0-9_.-]*,
// MountSpec::volume); "-v DST" an anonymous volume. OPTS: ro, rw, z, Z (labels: ignored).
MountSpec parse_volume(const std::string& text);
// "--tmpfs DST[:OPTIONS]".
MountSpec parse_tmpfs(const std::string& text);
// "--mount type=bind,source=SRC,target=DST[,ro]" or "type=tmpfs,target=DST[,tmpfs-size=N]
// [,tmpfs-mode=M]" (type=volume: as -v NAME:/path, anonymous without source=).
MountSpec parse_mount(const std::string& text);

struct CgroupLimits {
  std::optional<uint64_t> memory_bytes;  // --memory
  std::optional<uint64_t> pids_max;      // --pids-limit
  std::optional<double> cpus;            // --cpus
  bool any() const { return memory_bytes || pids_max || cpus; }
};
// "512m", "1g", "1048576", "100k" (docker's units, binary multiples).
uint64_t parse_memory_size(const std::string& text);

// The files generated per container and bind-mounted over the image's (etc_files.h).
struct EtcFiles {
  std::string hostname;
  std::string hosts;
  std::string resolv_conf;
  std::string containerenv;  // /run/.containerenv, podman's format ("" = none)
  std::string localtime;     // --tz: a zoneinfo file to bind on /etc/localtime ("" = the image's)
};

// Where the container's output is kept (--log-driver). kK8sFile: podman's k8s-file log
// (container_log.h), read by `logs`; kNone: nowhere; kPassthrough: the container writes to the
// caller's own stdout/stderr (foreground only, no copy, no log).
enum class LogDriver { kK8sFile, kNone, kPassthrough };
struct LogSpec {
  LogDriver driver = LogDriver::kK8sFile;
  // --log-opt path=: the log file; "" = container_log_path(). Another path is also linked from
  // there, so `logs` finds it.
  std::string path;
  std::optional<uint64_t> max_size;  // --log-opt max-size=: the file starts over past this size
};

// How the root overlay and read-only binds are made. kAuto: the overlay through fsopen/fsconfig
// with one "lowerdir+" per layer where the kernel has it (6.8+), else the legacy option string of
// mount(2); read-only binds through mount_setattr (5.12+), else a remount. kLowerdirPlus fails
// instead of falling back; kLegacy takes the fallbacks. Tests force each path.
enum class MountApi { kAuto, kLowerdirPlus, kLegacy };

struct Spec {
  // Identity.
  std::string id;        // the container id (hex); names its cgroup
  std::string hostname;  // sethostname() in the container's UTS namespace

  // Root filesystem.
  std::vector<std::string> layers;  // unpacked layer directories, top first (store's layers/<hex>)
  std::string container_dir;        // the container's own dir: upper/ work/ rootfs/ etc/ live here
  bool read_only = false;           // read-only /, tmpfs on /tmp and /run; no upper/ on disk
  std::vector<MountSpec> mounts;    // -v and --tmpfs
  EtcFiles etc;                     // written to container_dir/etc/ and bound on /etc/*
  // Overlay's "volatile": no sync of the upper layer, not even when it is unmounted (which costs
  // ~5 ms of every start here). For --rm containers, as podman does: their upper dir is deleted
  // after the run anyway. Overlay then refuses to mount that upper dir again (a crash may have
  // lost writes), so never set it for a container that can be restarted.
  bool volatile_upper = false;
  MountApi mount_api = MountApi::kAuto;
  uint64_t shm_size = 64 * 1024 * 1024;  // --shm-size: /dev/shm's tmpfs

  // Process.
  std::vector<std::string> argv;  // Entrypoint + Cmd, already combined (process_config.h)
  // The final environment but for HOME: when it has no HOME, the child adds the user's home from
  // the container's /etc/passwd (which only the child can read safely).
  std::vector<std::string> env;
  std::string cwd = "/";  // absolute
  // A missing cwd is created (the image's WorkingDir), or is an error (-w: podman's exit 126).
  bool create_cwd = true;
  std::string user;  // "name|uid[:group|gid]" as -u takes it; "" is root. Resolved in the child.
  // --group-add: gids or names (resolved in the container's /etc/group), added to the user's
  // supplementary groups; {"keep-groups"}: the caller's own groups are kept instead.
  std::vector<std::string> group_add;
  std::vector<UlimitSpec> ulimits;  // --ulimit (rlimits.h); podman's defaults added at start
  bool ulimit_host = false;         // --ulimit host: the caller's limits, no defaults
  // --oom-score-adj: the workload's /proc/self/oom_score_adj (a value below the caller's needs
  // CAP_SYS_RESOURCE in the host's namespace: rootless, the start fails).
  std::optional<int> oom_score_adj;
  bool tty = false;         // -t: a pty from the container's devpts
  bool stdin_open = false;  // -i: keep stdin (else /dev/null)
  bool init = false;        // --init: dabba's reaper is PID 1
  std::string pidfile;      // --pidfile: where the runner writes the workload's pid
  // --conmon-pidfile: where the container's owner (the -d supervisor, conmon's counterpart, or
  // the foreground run) writes its own pid at each start.
  std::string owner_pidfile;
  // --preserve-fds N: fds 3..3+N-1 of the process that starts the container reach the workload
  // (a foreground run's own: never saved by spec_codec.h, a later start has other fds).
  int preserve_fds = 0;
  // -a/--attach: which of the container's output streams the foreground caller gets (the log keeps
  // both either way).
  bool attach_stdout = true;
  bool attach_stderr = true;
  LogSpec log;
  // --timeout: seconds after which the runner kills the container (SIGKILL); 0 = never.
  unsigned timeout_seconds = 0;
  RestartPolicy restart;  // --restart: what the container's owner does when PID 1 exits

  // Security (docs/security.md). The workload's capabilities (capabilities.h): bounding set, and
  // permitted+effective for root.
  CapabilitySet capabilities = kDefaultCapabilities;
  bool seccomp = true;  // seccomp.h's filter (--security-opt seccomp=unconfined: false)
  // The JSON text of --security-opt seccomp=PROFILE.json; "" = podman's default (+ dabba's).
  std::string seccomp_profile;
  MaskedPaths masked;  // podman's masked and read-only paths, as the flags changed them
  // --privileged: /sys read-write and the host's devices in /dev (the CLI also gives every
  // capability, no seccomp filter and no masked paths).
  bool privileged = false;
  std::vector<DeviceSpec> devices;  // --device: host nodes bound in (devices.h)
  // Lines the child appends to the container's /etc/passwd and /etc/group when no line there has
  // their name or id yet (--userns=keep-id's user, as podman adds it): "name:x:uid:gid:...".
  std::vector<std::string> passwd_entries;
  std::vector<std::string> group_entries;

  // Isolation.
  NetworkSpec network;
  CgroupLimits limits;
  std::vector<Sysctl> sysctls;  // --sysctl: namespaced ones only (sysctl.h)
  // --uts host: no UTS namespace of its own (the host's hostname, none set); --ipc host: no IPC
  // namespace of its own (the host's /dev/shm and /dev/mqueue bound in, as podman's).
  bool host_uts = false;
  bool host_ipc = false;
  // --ipc none: an IPC namespace of its own without /dev/shm. --ipc container:NAME: NAME's IPC
  // namespace, joined through its PID 1 at each start (ipc_container: NAME as typed, for
  // messages; ipc_container_dir: its container directory); /dev/shm stays the container's own.
  bool ipc_none = false;
  std::string ipc_container;
  std::string ipc_container_dir;
  // Where the container's cgroup is made, in each hierarchy: "" is the caller's own cgroup, an
  // absolute path ("/dabba") is taken from the hierarchy's root.
  std::string cgroup_parent;
  // The map of the user namespace the runner creates for the container (see container.h). Real
  // root: always one, ids are the host's (the identity unless --uidmap). Rootless dabba is already
  // inside its own namespace and creates one only for --userns=keep-id|nomap|auto or --uidmap: a
  // namespace nested in dabba's, ids relative to it (0 = the caller). Empty: no new namespace.
  IdMap id_map;
};

// Throws Error{kInvalidArgument} naming the first problem (relative paths, empty argv, ...).
void validate(const Spec& spec);

}  // namespace dabba::runner
