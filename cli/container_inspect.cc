#include "cli/container_inspect.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <memory>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/container_targets.h"
#include "cli/object_group.h"
#include "cli/with_store.h"
#include "common/fs.h"
#include "common/human.h"
#include "runner/restart_policy.h"

namespace dabba::cli {
namespace {

// Go's zero time.Time, which podman prints for a time not reached yet.
const char* const kZeroTime = "0001-01-01T00:00:00Z";

std::string time_or_zero(int64_t unix_seconds) {
  return unix_seconds > 0 ? format_rfc3339(unix_seconds) : kZeroTime;
}

std::string hex_of(const std::string& digest) {
  return digest.rfind("sha256:", 0) == 0 ? digest.substr(7) : digest;
}

// "0.0.0.0:8080->80/tcp" -> ("80/tcp", "0.0.0.0", "8080").
void add_port(TemplateData& ports, const std::string& text) {
  const size_t arrow = text.find("->");
  if (arrow == std::string::npos) return;
  const std::string host = text.substr(0, arrow), target = text.substr(arrow + 2);
  const size_t colon = host.rfind(':');
  TemplateData binding = {{"HostIp", colon == std::string::npos ? "" : host.substr(0, colon)},
                          {"HostPort", colon == std::string::npos ? host : host.substr(colon + 1)}};
  if (!ports.contains(target)) ports[target] = TemplateData::array();
  ports[target].push_back(std::move(binding));
}

// The image's Entrypoint when the container's command starts with it (podman keeps the two apart;
// dabba records the command as run), and the rest as Cmd.
std::pair<TemplateData, TemplateData> split_command(const std::vector<std::string>& command,
                                                    const TemplateData& runtime) {
  std::vector<std::string> entrypoint;
  if (runtime.contains("Entrypoint") && runtime["Entrypoint"].is_array())
    for (const auto& e : runtime["Entrypoint"])
      if (e.is_string()) entrypoint.push_back(e.get<std::string>());
  if (entrypoint.empty() || command.size() < entrypoint.size() ||
      !std::equal(entrypoint.begin(), entrypoint.end(), command.begin()))
    return {TemplateData::array(), command};
  return {entrypoint, std::vector<std::string>(command.begin() + entrypoint.size(), command.end())};
}

// The user's mounts as podman shows them: Mounts (binds and volumes), HostConfig.Binds
// ("SRC:DST:OPTIONS", a volume by name) and HostConfig.Tmpfs.
struct InspectMounts {
  TemplateData mounts = TemplateData::array();
  TemplateData binds = TemplateData::array();
  TemplateData tmpfs = TemplateData::object();
};

InspectMounts inspect_mounts(std::vector<ContainerMount> mounts) {
  // In podman's order: by destination.
  std::stable_sort(mounts.begin(), mounts.end(), [](const auto& a, const auto& b) {
    return a.destination < b.destination;
  });
  InspectMounts out;
  for (const ContainerMount& m : mounts) {
    const std::string mode = m.read_only ? "ro" : "rw";
    if (m.type == "tmpfs") {
      out.tmpfs[m.destination] = m.options.empty() ? mode + ",rprivate,nosuid,nodev,tmpcopyup"
                                                    : mode + ",rprivate," + m.options;
      continue;
    }
    const bool volume = m.type == "volume";
    const char* options = volume ? "nosuid,nodev,rbind" : "rbind";
    TemplateData entry = {{"Type", m.type}};
    if (volume) entry["Name"] = m.name;
    entry["Source"] = m.source;
    entry["Destination"] = m.destination;
    entry["Driver"] = volume ? "local" : "";
    entry["Mode"] = "";
    entry["Options"] = volume ? std::vector<std::string>{"nosuid", "nodev", "rbind"}
                              : std::vector<std::string>{"rbind"};
    entry["RW"] = !m.read_only;
    entry["Propagation"] = "rprivate";
    out.mounts.push_back(std::move(entry));
    out.binds.push_back((volume ? m.name : m.source) + ":" + m.destination + ":" + mode +
                        ",rprivate," + options);
  }
  return out;
}

}  // namespace

TemplateData inspect_container(const ContainerView& v, const TemplateData& image_config) {
  const ContainerInfo& info = v.info;
  const InspectMounts mounts = inspect_mounts(info.mounts);
  const TemplateData runtime =
      image_config.contains("config") && image_config["config"].is_object()
          ? image_config["config"]
          : TemplateData::object();
  const auto& st = v.state;
  const bool exited = st && st->status == runner::ContainerStatus::kExited;
  const std::string status = state_name(v);
  const runner::RestartPolicy restart = runner::parse_restart_policy(info.restart);

  TemplateData labels = TemplateData::object();
  if (runtime.contains("Labels") && runtime["Labels"].is_object())
    for (const auto& [k, val] : runtime["Labels"].items()) labels[k] = val;
  for (const auto& [k, val] : info.labels) labels[k] = val;

  TemplateData ports = TemplateData::object();
  for (const std::string& p : info.ports) add_port(ports, p);

  auto [entrypoint, cmd] = split_command(info.command, runtime);
  TemplateData state = {
      {"OciVersion", "1.0.2"},
      {"Status", status},
      {"Running", v.running},
      {"Paused", v.paused},
      {"Restarting", false},
      {"OOMKilled", exited && st->oom_killed},
      {"Dead", false},
      {"Pid", v.running ? st->pid : 0},
      {"ConmonPid", v.running ? st->supervisor_pid : 0},
      {"ExitCode", exited ? st->exit_code : 0},
      {"Error", st ? st->error : ""},
      {"StartedAt", time_or_zero(st ? st->started_at : 0)},
      {"FinishedAt", time_or_zero(exited ? st->finished_at : 0)},
      {"Health", {{"Status", ""}, {"FailingStreak", 0}, {"Log", nullptr}}},
      {"CheckpointedAt", kZeroTime},
      {"RestoredAt", kZeroTime},
  };
  TemplateData config = {
      {"Hostname", info.hostname},
      {"Domainname", ""},
      {"User", info.user},
      {"AttachStdin", false},
      {"AttachStdout", !info.detach},
      {"AttachStderr", !info.detach},
      {"Tty", info.tty},
      {"OpenStdin", false},
      {"StdinOnce", false},
      {"Env", info.env},
      {"Cmd", cmd},
      {"Image", info.image},
      {"Volumes", nullptr},
      {"WorkingDir", info.cwd},
      {"Entrypoint", entrypoint},
      {"OnBuild", nullptr},
      {"Labels", labels},
      {"Annotations", TemplateData::object()},
      {"StopSignal", info.stop_signal},
      {"StopTimeout", info.stop_timeout},
      {"CreateCommand", TemplateData::array()},
      {"Umask", "0022"},
      {"Timeout", 0},
      {"Passwd", true},
  };
  const std::string network = info.network.empty() ? "slirp4netns" : info.network;
  TemplateData host_config = {
      {"Binds", mounts.binds},
      {"CgroupManager", "cgroupfs"},
      {"CgroupMode", "private"},
      {"ContainerIDFile", ""},
      {"LogConfig", {{"Type", "k8s-file"}, {"Config", nullptr},
                     {"Path", runner::log_dir(v.dir) + "/ctr.log"}, {"Tag", info.log_tag},
                     {"Size", human_size_compact(info.log_max_size)}}},
      {"NetworkMode", network},
      {"PortBindings", ports},
      {"RestartPolicy",
       {{"Name", runner::restart_policy_name(restart)}, {"MaximumRetryCount", restart.max_retries}}},
      {"AutoRemove", info.auto_remove},
      {"VolumeDriver", ""},
      {"VolumesFrom", nullptr},
      {"CapAdd", TemplateData::array()},
      {"CapDrop", TemplateData::array()},
      {"Dns", TemplateData::array()},
      {"DnsOptions", TemplateData::array()},
      {"DnsSearch", TemplateData::array()},
      {"ExtraHosts", TemplateData::array()},
      {"GroupAdd", TemplateData::array()},
      {"IpcMode", info.ipc_mode.empty() ? "shareable" : info.ipc_mode},
      {"Cgroup", ""},
      {"Cgroups", "default"},
      {"Links", nullptr},
      {"OomScoreAdj", info.oom_score_adj},
      {"PidMode", "private"},
      {"Privileged", false},
      {"PublishAllPorts", false},
      {"ReadonlyRootfs", false},
      {"SecurityOpt", TemplateData::array()},
      {"Tmpfs", mounts.tmpfs},
      {"UTSMode", info.uts_mode.empty() ? "private" : info.uts_mode},
      {"UsernsMode", info.userns_mode},
      {"ShmSize", 65536000},
      {"Runtime", "oci"},
      {"ConsoleSize", {0, 0}},
  };
  if (!info.uid_map.empty()) {
    // podman shows the maps where the namespace has its own (inserted after UsernsMode).
    TemplateData with_maps = TemplateData::object();
    for (auto& [key, value] : host_config.items()) {
      with_maps[key] = value;
      if (key == "UsernsMode")
        with_maps["IDMappings"] = {{"UidMap", info.uid_map}, {"GidMap", info.gid_map}};
    }
    host_config = std::move(with_maps);
  }
  TemplateData network_settings = {
      {"EndpointID", ""},
      {"Gateway", ""},
      {"IPAddress", ""},
      {"IPPrefixLen", 0},
      {"IPv6Gateway", ""},
      {"GlobalIPv6Address", ""},
      {"GlobalIPv6PrefixLen", 0},
      {"MacAddress", ""},
      {"Bridge", ""},
      {"SandboxID", ""},
      {"HairpinMode", false},
      {"LinkLocalIPv6Address", ""},
      {"LinkLocalIPv6PrefixLen", 0},
      {"Ports", ports},
      {"SandboxKey", ""},
  };
  if (!info.networks.empty()) {
    TemplateData networks = TemplateData::object();
    for (const ContainerNetwork& n : info.networks) {
      std::vector<std::string> aliases = {short_container_id(v.record.id)};
      aliases.insert(aliases.end(), n.aliases.begin(), n.aliases.end());
      networks[n.name] = {{"EndpointID", ""},
                          {"Gateway", n.gateway},
                          {"IPAddress", n.ip},
                          {"IPPrefixLen", n.prefix},
                          {"IPv6Gateway", ""},
                          {"GlobalIPv6Address", ""},
                          {"GlobalIPv6PrefixLen", 0},
                          {"MacAddress", n.mac},
                          {"NetworkID", n.name},
                          {"DriverOpts", nullptr},
                          {"IPAMConfig", nullptr},
                          {"Links", nullptr},
                          {"Aliases", aliases}};
    }
    network_settings["Networks"] = networks;
  }
  return {
      {"Id", v.record.id},
      {"Created", format_rfc3339(v.record.created)},
      {"Path", info.command.empty() ? "" : info.command.front()},
      {"Args", info.command.size() > 1
                   ? std::vector<std::string>(info.command.begin() + 1, info.command.end())
                   : std::vector<std::string>{}},
      {"State", state},
      {"Image", hex_of(info.image_id)},
      {"ImageDigest", v.record.image.str()},
      {"ImageName", info.image_name.empty() ? info.image : info.image_name},
      {"Rootfs", ""},
      {"Pod", ""},
      {"ResolvConfPath", v.dir + "/etc/resolv.conf"},
      {"HostnamePath", v.dir + "/etc/hostname"},
      {"HostsPath", v.dir + "/etc/hosts"},
      {"StaticDir", v.dir},
      {"OCIRuntime", info.oci_runtime.empty() ? "dabba" : info.oci_runtime},
      {"ConmonPidFile", ""},
      {"PidFile", ""},
      {"Name", v.record.name},
      {"RestartCount", st ? st->restart_count : 0},
      {"Driver", "overlay"},
      {"MountLabel", ""},
      {"ProcessLabel", ""},
      {"AppArmorProfile", ""},
      {"EffectiveCaps", TemplateData::array()},
      {"BoundingCaps", TemplateData::array()},
      {"ExecIDs", TemplateData::array()},
      {"GraphDriver", {{"Name", "overlay"}, {"Data", TemplateData::object()}}},
      {"Mounts", mounts.mounts},
      {"Dependencies", TemplateData::array()},
      {"NetworkSettings", network_settings},
      {"Namespace", ""},
      {"IsInfra", false},
      {"IsService", false},
      {"Config", config},
      {"HostConfig", host_config},
  };
}

InspectKind container_inspect_kind() {
  InspectKind k;
  k.type = "container";
  k.find = [](const Store& store, const std::string& name) -> std::optional<TemplateData> {
    std::optional<ContainerRecord> r = store.container(name);
    if (!r) return std::nullopt;
    ContainerView v = view_container(store, *r);
    TemplateData config = TemplateData::object();
    if (auto img = store.image(r->image)) {
      std::string text;
      if (read_file_if_exists(store.blob_path(img->config), text)) {
        config = TemplateData::parse(text, nullptr, false);
        if (!config.is_object()) config = TemplateData::object();
      }
    }
    return inspect_container(v, config);
  };
  k.not_found_suffix = "";
  return k;
}

}  // namespace dabba::cli

namespace dabba::cli {

// dabba container inspect [-f FORMAT] [-l] [-s] CONTAINER...
Command add_container_inspect(CLI::App& parent) {
  struct Args {
    InspectFlags inspect;
    bool latest = false;
    bool size = false;
  };
  auto args = std::make_shared<Args>();
  Command cmd = add_inspect_verb(parent, "Show details of containers as JSON", args->inspect);
  cmd.app->add_flag("-l,--latest", args->latest, "the newest container");
  cmd.app->add_flag("-s,--size", args->size, "sizes (accepted)");
  cmd.app->add_option("container", args->inspect.names, "container names or ids");
  cmd.run = with_store([args](Store& store) {
    TargetFlags targets;
    targets.latest = args->latest;
    targets.names = args->inspect.names;
    return run_inspect(store, resolve_targets(store, targets), "container", args->inspect.format);
  });
  return cmd;
}

}  // namespace dabba::cli
