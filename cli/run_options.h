// The flags of `dabba run`, spelled as Docker and podman spell them, and how they and the image's
// config become a runner::Spec. Parsed once: CLI11 fills RunFlags with what was typed,
// parse_run_options() turns it, before the store is opened (a typo costs nothing), into the typed
// RunOptions that the run verb and build_spec() use. Plain data and pure functions (no store, no
// system calls but reading --env-file), so the whole mapping is unit-tested.
//
// A new flag: its text in RunFlags and add_run_flags; when dabba parses the value, its typed form
// in RunOptions, filled in parse_run_options; used from there (build_spec for the Spec).
//
// The network flags (--network, -p, -P, --dns, --add-host) are cli/network_flags.h's: registered
// and parsed from here.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <utility>
#include <string>
#include <vector>

#include "cli/network_flags.h"
#include "cli/security_options.h"
#include "cli/userns_options.h"
#include "cli/volumes_from.h"
#include "oci/platform.h"
#include "pull/puller.h"
#include "runner/capabilities.h"
#include "runner/process_config.h"
#include "runner/spec.h"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace dabba::cli {

// What was typed. Values dabba parses itself are kept as text here, so a bad one is dabba's own
// error (exit 125, as podman's), not CLI11's usage error.
struct RunFlags {
  // Mode.
  bool detach = false;  // -d
  bool rm = false;      // --rm
  bool replace = false;  // --replace: a container of that name is removed first
  bool rmi = false;     // --rmi (run only): the image removed after the container, unless in use
  std::string name;     // --name ("" = generated; repeated: the last)
  std::string cidfile;  // --cidfile: where the id is written
  std::vector<std::string> attach;  // -a stdin|stdout|stderr (none: all)
  // Image.
  std::string pull = "missing";  // --pull never|missing|always
  bool quiet = false;            // -q, --quiet: no pull progress
  std::string systemd = "true";  // --systemd true|false (no-ops: dabba has no systemd mode)
  bool no_healthcheck = false;   // --no-healthcheck: dabba runs none anyway
  // --health-cmd, --health-interval, ...: given ones are refused (dabba runs no healthchecks).
  std::map<std::string, std::string> health;
  std::vector<std::string> expose;  // --expose PORT[-PORT][/PROTO]: what -P publishes, with the image's
  std::string platform;          // --platform os/arch[/variant]
  // Process.
  bool interactive = false;               // -i
  bool tty = false;                       // -t
  std::vector<std::string> env;           // -e K=V | -e K
  std::vector<std::string> env_files;     // --env-file
  bool env_host = false;                  // --env-host
  bool http_proxy = true;                 // --http-proxy (=false: the host's proxy vars stay out)
  std::string pidfile;                    // --pidfile
  std::string conmon_pidfile;             // --conmon-pidfile: the owner's (supervisor's) pid
  std::string restart;                    // --restart (runner/restart_policy.h)
  std::string userns;                     // --userns (userns_options.h)
  std::vector<std::string> uidmap;        // --uidmap CONTAINER:FROM:SIZE
  std::vector<std::string> gidmap;        // --gidmap CONTAINER:FROM:SIZE
  std::vector<std::string> hostuser;      // --hostuser NAME|UID: the host's user in /etc/passwd
  std::optional<std::string> user;        // -u
  std::optional<std::string> workdir;     // -w
  std::optional<std::string> entrypoint;  // --entrypoint ("" clears the image's; '["a","b"]')
  std::string hostname;                   // --hostname ("" = the short id)
  bool init = false;                      // --init
  std::vector<std::string> cap_add;       // --cap-add (NAME, CAP_NAME or ALL)
  std::vector<std::string> cap_drop;      // --cap-drop
  std::vector<std::string> security_opt;  // --security-opt (security_options.h)
  bool privileged = false;                // --privileged
  std::vector<std::string> group_add;     // --group-add GROUP | keep-groups
  std::vector<std::string> ulimits;       // --ulimit NAME=SOFT[:HARD] | host
  std::vector<std::string> sysctls;       // --sysctl NAME=VALUE
  std::vector<std::string> devices;       // --device HOST[:CONTAINER][:PERMS]
  std::string oom_score_adj;              // --oom-score-adj -1000..1000
  // Namespaces: the modes dabba has (check_namespace_modes); others are podman's error or ours.
  std::string uts, ipc, pid, cgroupns;  // --uts, --ipc, --pid, --cgroupns
  // Filesystem.
  std::vector<std::string> volumes;  // -v SRC:DST[:ro]
  std::vector<std::string> tmpfs;    // --tmpfs DST[:OPTS]
  std::vector<std::string> mounts;   // --mount type=bind|tmpfs,...
  std::vector<std::string> volumes_from;  // --volumes-from CONTAINER[:OPTIONS]
  std::string shm_size;              // --shm-size
  bool read_only = false;            // --read-only
  // Limits.
  std::string memory;         // -m, --memory
  std::string pids_limit;     // --pids-limit
  std::string cpus;           // --cpus
  std::string kernel_memory;  // --kernel-memory: podman's no-op, with its warning
  std::string cgroup_parent;  // --cgroup-parent
  std::string tz;  // --tz ZONE|local
  std::vector<std::string> labels;       // -l, --label K=V
  std::vector<std::string> label_files;  // --label-file
  // Output.
  std::string log_driver = "k8s-file";  // --log-driver k8s-file|none|passthrough (+ aliases)
  std::vector<std::string> log_opts;    // --log-opt path=|max-size=|tag=
  std::string runtime;  // --runtime (recorded for inspect; dabba is its own runtime)
  // Stopping.
  std::string timeout;  // --timeout seconds (0: none)
  std::string stop_signal;   // --stop-signal ("" = the image's StopSignal, else SIGTERM)
  std::string stop_timeout;  // --stop-timeout seconds ("" = 10)
  NetworkFlags net;          // --network, -p, -P, --dns, --add-host
  // Not flags: containers.conf's settings that no flag replaces (apply_containers_conf).
  std::vector<std::string> conf_env;  // env: below the image's Env
  std::optional<std::vector<std::string>> default_capabilities;  // what --cap-add/-drop change
  // IMAGE [COMMAND [ARG...]]: everything after the first argument that is not one of our flags.
  std::vector<std::string> rest;
};

// The flags parsed and checked, once. The plain ones (booleans, names, paths the runner checks)
// are read from flags; the others have their typed form here.
struct RunOptions {
  RunFlags flags;
  std::string image;                 // IMAGE, as typed
  std::vector<std::string> command;  // what follows it
  PullPolicy pull = PullPolicy::kMissing;
  std::optional<Platform> platform;
  runner::CgroupLimits limits;            // --memory, --pids-limit, --cpus
  std::vector<runner::MountSpec> mounts;  // -v, then --tmpfs
  std::vector<VolumesFrom> volumes_from;  // --volumes-from (new_container adds their mounts)
  runner::NetworkSpec network;            // without -P's ports (the image adds them)
  SecurityOptions security;        // --security-opt (with --privileged, --cap-add/--cap-drop)
  std::optional<int> stop_signal;  // --stop-signal (else the image's, else SIGTERM)
  int stop_timeout = 10;           // --stop-timeout
  // --entrypoint given as a JSON array: the whole entrypoint (else flags.entrypoint is one word).
  std::optional<std::vector<std::string>> entrypoint_json;
  std::map<std::string, std::string> labels;  // --label-file, then -l; last wins
  std::string log_driver = "k8s-file";  // as typed, normalized (json-file, journald: k8s-file)
  runner::LogSpec log;
  std::string log_tag;     // --log-opt tag= (kept, shown by inspect)
  unsigned timeout = 0;    // --timeout seconds
  runner::RestartPolicy restart;  // --restart
  bool attach_stdin = true, attach_stdout = true, attach_stderr = true;  // -a
  std::string tz_file;     // --tz: the host's zoneinfo file ("" = none)
  uint64_t shm_size = 64 * 1024 * 1024;  // --shm-size
  std::vector<runner::UlimitSpec> ulimits;  // --ulimit (not "host")
  bool ulimit_host = false;                 // --ulimit host
  std::vector<runner::Sysctl> sysctls;      // --sysctl
  std::vector<runner::DeviceSpec> devices;  // --device
  UsernsOptions userns;                     // --userns, --uidmap, --gidmap
  std::vector<std::string> exposed_ports;   // --expose, as "PORT[-PORT]/PROTO"
  std::optional<int> oom_score_adj;         // --oom-score-adj
};

// --expose PORT[-PORT][/PROTO] as "PORT[-PORT]/PROTO" (tcp when not given); podman's errors.
std::string parse_expose(const std::string& text);

struct ContainersConf;
// containers.conf's settings (containers_conf.h) as run's defaults, applied once after CLI11 filled
// flags: each only where its flag was not given (given("--init") says whether it was), so a flag
// always wins, as in podman, whose flags take their defaults from containers.conf. A log_driver
// dabba does not have is ignored (with a warning).
void apply_containers_conf(const ContainersConf& conf,
                           const std::function<bool(const char* flag)>& given, RunFlags& flags);

// Registers every flag on the run subcommand. The subcommand is a prefix command: the image and
// what follows it are left unparsed (the caller puts app.remaining() in RunFlags::rest).
void add_run_flags(CLI::App& app, RunFlags& flags);

// Parses and checks everything that can be checked before the store is opened: the image and
// command (no image, or an unknown flag before it, is an error), the name, the limits, the
// signal, volumes, capabilities, --security-opt, the network flags. Throws Error{kInvalidArgument}.
RunOptions parse_run_options(RunFlags flags);

// run's and create's first step: the image and what follows it from app.remaining(),
// containers.conf's defaults under the flags not given, then parse_run_options.
RunOptions parse_run_command(const CLI::App& app, RunFlags& flags);

// A label file's K=V lines (blank lines and # comments skipped; a bare K is K=""). path names it
// in errors.
std::vector<std::pair<std::string, std::string>> parse_label_lines(const std::string& text,
                                                                   const std::string& path);

// The stop signal: --stop-signal, else the image's StopSignal, else SIGTERM.
int stop_signal_for(const RunOptions& options, const runner::ImageConfig& image);

// What build_spec needs besides the options.
struct SpecInputs {
  std::string id;
  std::string container_dir;
  std::vector<std::string> layers;  // unpacked layer dirs, top first
  runner::ImageConfig image;
};

// The whole Spec: argv, env, cwd, user from the image config and the options (Docker's rules),
// hostname, /etc files, mounts, limits, network (with -P: the image's exposed ports). Reads the
// --env-file files. Throws Error{kInvalidArgument} for "no command specified" and the like.
runner::Spec build_spec(const RunOptions& options, const SpecInputs& in);

}  // namespace dabba::cli
