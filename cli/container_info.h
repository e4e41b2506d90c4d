// What the CLI keeps about a container in its store record (ContainerRecord::runner_json, which
// the store treats as opaque): how it was created, so `ps` can show it, `stop` knows its signal
// and grace period, and `exec` starts processes with the container's env, user and directory.
// The live side (running or not, pid, exit code) is the runner's state file, not this.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "runner/capabilities.h"

namespace dabba::cli {

// A mount the user gave the container (-v, --mount, --tmpfs, --volumes-from, and the image's
// VOLUMEs), as inspect's Mounts shows it and --volumes-from copies it.
struct ContainerMount {
  std::string type;         // "bind", "volume" or "tmpfs"
  std::string name;         // the volume's name ("volume")
  std::string source;       // the host directory ("bind", and the volume's data directory)
  std::string destination;  // inside the container
  bool read_only = false;
  std::string options;  // tmpfs options as given ("size=64m,mode=1777")
  bool operator==(const ContainerMount&) const = default;
};

// A network of `network create` the container is on, as inspect's NetworkSettings.Networks shows
// it.
struct ContainerNetwork {
  std::string name;
  std::string ip;
  std::string gateway;
  int prefix = 0;
  std::vector<std::string> aliases;
  std::string mac;
  bool operator==(const ContainerNetwork&) const = default;
};

struct ContainerInfo {
  std::string image;                 // the reference as the user typed it (what `ps` shows)
  std::string image_name;  // the stored name it resolved to ("localhost/x:latest"), inspect's
                           // ImageName; "" when it named no name (an id)
  std::string image_id;              // the config digest, "sha256:..."
  std::string oci_runtime;  // --runtime as given (inspect's OCIRuntime; "" shows "dabba")
  std::vector<std::string> command;  // Entrypoint + Cmd as run
  std::vector<std::string> env;      // the final environment (without the HOME the child adds)
  std::string user;                  // "" = root
  std::string cwd = "/";
  std::string hostname;
  std::string network;  // "none", "host", "slirp4netns[:...]"
  // Not stored: the ports a running container published, as `ps` shows them, read from the
  // runner's record by view_container (containers.h).
  std::vector<std::string> ports;
  // The workload's capabilities (runner/capabilities.h), for `exec` to give its processes.
  uint64_t capabilities = runner::kDefaultCapabilities;
  bool seccomp = true;
  std::string seccomp_profile;  // --security-opt seccomp=PROFILE.json's text; "" = the default
  std::vector<std::string> group_add;  // --group-add, which `exec`'d processes get too
  int stop_signal = 15;
  int stop_timeout = 10;  // seconds
  bool tty = false;
  bool auto_remove = false;  // --rm
  bool detach = false;
  // -l and --label-file (a later value of a key replaces the earlier), as `ps --filter label=` and
  // `inspect` show them.
  std::map<std::string, std::string> labels;
  std::string log_driver = "k8s-file";  // --log-driver as podman names it ("none", "passthrough")
  std::string log_path;  // the k8s-file log ("" with none/passthrough)
  std::string log_tag;   // --log-opt tag=
  uint64_t log_max_size = 0;  // --log-opt max-size= in bytes (0: none), inspect's LogConfig.Size
  unsigned timeout = 0;  // --timeout seconds
  std::string restart;   // --restart as runner::format_restart_policy writes it ("" = not given)
  std::string cidfile;   // --cidfile (absolute), for `rm`/`stop --cidfile` users
  // --userns/--uidmap as inspect's HostConfig.UsernsMode ("" or "private", userns_options.h) and
  // IDMappings ("C:F:S" texts; empty: the container shares dabba's namespace).
  std::string userns_mode;
  std::vector<std::string> uid_map, gid_map;
  std::vector<ContainerMount> mounts;
  int oom_score_adj = 0;  // --oom-score-adj, as inspect shows it
  // When it was created, in unix nanoseconds (the record's `created` has seconds): the order of
  // containers made in one second (--latest, ps --sort created). 0 in older records.
  int64_t created_ns = 0;
  std::string uts_mode;   // --uts: "" (private) or "host"
  std::string ipc_mode;   // --ipc: "" (shareable, podman's default) or "host"
  std::vector<ContainerNetwork> networks;  // --network NAME...: the networks, in order
};

std::string encode_container_info(const ContainerInfo& info);
// Tolerates missing keys (defaults) so records written by older builds stay readable; throws
// Error{kCorrupt} for text that is not a JSON object.
ContainerInfo decode_container_info(const std::string& json);

// The id `ps` shows: the first 12 hex digits.
inline std::string short_container_id(const std::string& id) { return id.substr(0, 12); }

}  // namespace dabba::cli
