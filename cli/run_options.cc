#include "cli/run_options.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/container_names.h"
#include "cli/containers_conf.h"
#include "cli/security_options.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/log.h"
#include "runner/capabilities.h"
#include "runner/env.h"
#include "runner/etc_files.h"
#include "runner/freezer.h"
#include "runner/net/network_parse.h"
#include "runner/signals.h"
#include "runner/user.h"

namespace dabba::cli {
namespace {

// A whole decimal number; what names the flag in the error.
// A whole number for an integer flag, with the words of podman's flag parser (pflag) when it is
// not one: `invalid argument "abc" for "--oom-score-adj" flag: strconv.ParseInt: parsing "abc":
// invalid syntax` (or `value out of range`).
// A size as Go's units.FromHumanSize reads it, which podman uses for --log-opt max-size: a
// number (fractions too) and an optional k/m/g/t/p unit (b/B after it allowed), powers of 1000:
// "1.059m" is 1,059,000 bytes.
uint64_t parse_decimal_size(const std::string& text, const char* what) {
  size_t end = 0;
  double value = -1;
  try {
    value = std::stod(text, &end);
  } catch (const std::exception&) {
  }
  std::string unit = text.substr(std::min(end, text.size()));
  if (!unit.empty() && (unit.back() == 'b' || unit.back() == 'B')) unit.pop_back();
  static const std::string kUnits = "kmgtp";
  double scale = 1;
  if (unit.size() == 1 && kUnits.find(static_cast<char>(std::tolower(unit[0]))) != std::string::npos)
    scale = std::pow(1000.0, static_cast<double>(kUnits.find(static_cast<char>(std::tolower(unit[0]))) + 1));
  else if (!unit.empty())
    value = -1;
  if (end == 0 || value < 0 || !std::isfinite(value))
    throw Error(Errc::kInvalidArgument, std::string("invalid size for ") + what + ": '" + text + "'",
                0, "a number and an optional unit: 10m, 1.5g, 100k");
  return static_cast<uint64_t>(value * scale);
}

int64_t parse_integer(const std::string& text, const char* what) {
  int64_t v = 0;
  const char* first = text.data();
  const char* last = first + text.size();
  if (first != last && *first == '+') ++first;  // Go's ParseInt takes a sign
  const auto [end, ec] = std::from_chars(first, last, v);
  if (text.empty() || ec != std::errc() || end != last)
    throw Error(Errc::kInvalidArgument,
                "invalid argument \"" + text + "\" for \"" + what +
                    "\" flag: strconv.ParseInt: parsing \"" + text + "\": " +
                    (ec == std::errc::result_out_of_range ? "value out of range" : "invalid syntax"));
  return v;
}

// A file a flag names (--env-file, --label-file), its errors with the flag's hint.
std::string read_flag_file(const std::string& path, const char* hint) {
  try {
    return read_file(path);
  } catch (Error& e) {
    e.set_hint(hint);
    throw;
  }
}

std::optional<uint64_t> parse_pids_limit(const std::string& text) {
  if (text.empty()) return std::nullopt;
  int64_t v = parse_integer(text, "--pids-limit");
  if (v <= 0) return std::nullopt;  // Docker: 0 or -1 is "unlimited"
  return static_cast<uint64_t>(v);
}

std::optional<double> parse_cpus(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(text.c_str(), &end);
  if (*end != '\0' || errno == ERANGE || !std::isfinite(v) || v < 0)
    throw Error(Errc::kInvalidArgument, "invalid value '" + text + "' for --cpus", 0,
                "give a number of CPUs, e.g. --cpus 1.5");
  if (v == 0) return std::nullopt;  // Docker: 0 is "no limit"
  if (v < 0.01) throw Error(Errc::kInvalidArgument, "--cpus must be at least 0.01");
  return v;
}

std::optional<uint64_t> parse_memory(const std::string& text) {
  if (text.empty()) return std::nullopt;
  uint64_t bytes = runner::parse_memory_size(text);
  if (bytes == 0) return std::nullopt;  // podman: 0 is "no limit"
  // The kernel's own floor is a few pages; Docker refuses below 6 MiB, which would only confuse.
  if (bytes < 4 * 1024 * 1024)
    throw Error(Errc::kInvalidArgument, "--memory " + text + " is too small", 0,
                "give at least 4m");
  return bytes;
}

}  // namespace

void add_run_flags(CLI::App& app, RunFlags& o) {
  // IMAGE and everything after it are the container's, not ours: `run IMAGE ls -l` must not read
  // -l as a flag of run.
  app.prefix_command();
  // -h is --hostname, as in Docker; help stays --help.
  app.set_help_flag("--help", "print this help and exit");

  app.add_flag("-d,--detach", o.detach, "run in the background and print the container id");
  app.add_flag("--rm", o.rm, "remove the container when it exits");
  app.add_flag("--replace", o.replace,
               "remove a container of the same --name first (running ones killed)");
  // A flag podman takes once but scripts may repeat: the last one counts, as podman's.
  auto last_wins = [](CLI::Option* opt) {
    return opt->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  };
  last_wins(app.add_option("--name", o.name, "the container's name (default: a generated one)"));
  last_wins(app.add_option("--cidfile", o.cidfile, "write the container's id to this file"));
  repeatable(app.add_option("-a,--attach", o.attach,
                            "attach to stdin, stdout or stderr (default: stdout and stderr)"));
  repeatable(app.add_option("-l,--label", o.labels, "set a label on the container (K=V)"));
  repeatable(app.add_option("--label-file", o.label_files, "read labels from a file of K=V lines"));
  last_wins(
      app.add_option("--tz", o.tz, "the container's time zone (e.g. Europe/Paris, or local)"));
  last_wins(app.add_option("--log-driver", o.log_driver,
                           "where output is kept: k8s-file (default), none or passthrough"));
  repeatable(
      app.add_option("--log-opt", o.log_opts, "log option: path=FILE, max-size=SIZE or tag=TEXT"));
  app.add_option("--runtime", o.runtime,
                 "accepted and shown by inspect as OCIRuntime (dabba is its own runtime)");
  last_wins(app.add_option("--timeout", o.timeout,
                           "seconds after which the container is killed (default 0: never)"));

  app.add_option("--pull", o.pull, "pull the image: never, missing or always")
      ->capture_default_str();
  app.add_flag("-q,--quiet", o.quiet, "no pull progress");
  last_wins(app.add_option("--uts", o.uts, "UTS namespace: private (the default)"));
  last_wins(app.add_option("--ipc", o.ipc, "IPC namespace: private or shareable (the default)"));
  last_wins(app.add_option("--pid", o.pid, "PID namespace: private (the default)"));
  last_wins(app.add_option("--cgroupns", o.cgroupns, "cgroup namespace: host (the default)"));
  last_wins(app.add_option("--oom-score-adj", o.oom_score_adj,
                           "the workload's OOM score adjustment (-1000..1000)"));
  last_wins(app.add_option("--systemd", o.systemd,
                           "true or false, changing nothing (dabba has no systemd mode)"));
  // Healthchecks: dabba runs none. --no-healthcheck asks for none, so it is accepted; the others
  // ask for one, and are refused by name (not ignored: a check the user counts on would not run).
  app.add_flag("--no-healthcheck", o.no_healthcheck, "accepted (dabba runs no healthchecks)");
  for (const char* name : {"--health-cmd", "--health-interval", "--health-retries",
                           "--health-start-period", "--health-timeout", "--health-on-failure"})
    last_wins(app.add_option(name, o.health[name], "refused: dabba runs no healthchecks"));
  repeatable(app.add_option("--expose", o.expose,
                            "expose PORT[-PORT][/PROTO] (what -P publishes, with the image's)"));
  app.add_option("--platform", o.platform,
                 "os/arch[/variant] to pull from a multi-platform image (default: this host's)");

  app.add_flag("-i,--interactive", o.interactive, "keep stdin open");
  app.add_flag("-t,--tty", o.tty, "allocate a pseudo-terminal");
  repeatable(
      app.add_option("-e,--env", o.env, "set an environment variable (K=V, or K to pass ours)"));
  repeatable(app.add_option("--env-file", o.env_files, "read environment variables from a file"));
  app.add_flag("--env-host", o.env_host, "pass dabba's whole environment into the container");
  app.add_flag("--http-proxy", o.http_proxy,
               "pass the host's proxy variables in (default true; --http-proxy=false: not)");
  last_wins(app.add_option("--pidfile", o.pidfile, "write the container's pid to this file"));
  last_wins(app.add_option("--conmon-pidfile", o.conmon_pidfile,
                           "write the pid of the container's supervisor (podman: conmon's)"));
  last_wins(app.add_option("--restart", o.restart,
                           "restart policy: no, on-failure[:max_retries], always, unless-stopped"));
  last_wins(app.add_option("--userns", o.userns,
                           "user namespace: host (the default: you are root), keep-id[:uid=N,"
                           "gid=N], nomap or auto[:size=N]"));
  repeatable(app.add_option("--uidmap", o.uidmap,
                            "map container uids CONTAINER:FROM:SIZE (FROM: 0 is you, 1.. your "
                            "subordinate ids)"));
  repeatable(app.add_option("--gidmap", o.gidmap, "map container gids CONTAINER:FROM:SIZE"));
  repeatable(app.add_option("--hostuser", o.hostuser,
                            "add this host user (name or uid) to the container's /etc/passwd"));
  app.add_option("-u,--user", o.user, "user[:group] or uid[:gid] to run as");
  app.add_option("-w,--workdir", o.workdir, "working directory inside the container");
  last_wins(app.add_option("--entrypoint", o.entrypoint,
                           "override the image's entrypoint (a command, or a JSON array)"));
  app.add_option("-h,--hostname", o.hostname, "the container's hostname (default: its short id)");
  app.add_flag("--init", o.init, "run a small init as PID 1 that forwards signals and reaps");
  repeatable(app.add_option("--cap-add", o.cap_add, "add a capability (e.g. NET_RAW, or ALL)"));
  repeatable(app.add_option("--cap-drop", o.cap_drop, "drop a capability (e.g. CHOWN, or ALL)"));
  repeatable(app.add_option("--security-opt", o.security_opt,
                            "seccomp=unconfined|PROFILE.json, mask=PATHS, unmask=ALL|PATHS, "
                            "no-new-privileges (always on)"));
  app.add_flag("--privileged", o.privileged,
               "every capability, no seccomp filter, no masked paths, the host's devices");
  repeatable(app.add_option("--group-add", o.group_add,
                            "add a supplementary group (name or gid), or keep-groups"));
  repeatable(app.add_option("--ulimit", o.ulimits,
                            "resource limit NAME=SOFT[:HARD] (e.g. nofile=1024:2048), or host"));
  repeatable(app.add_option("--sysctl", o.sysctls,
                            "namespaced kernel parameter NAME=VALUE (kernel.shm*, net.*, ...)"));
  repeatable(app.add_option("--device", o.devices,
                            "a host device in the container: HOST[:CONTAINER][:PERMS]"));

  repeatable(app.add_option("-v,--volume", o.volumes, "bind mount SRC:DST[:ro]"));
  repeatable(app.add_option("--tmpfs", o.tmpfs, "mount a tmpfs at DST[:OPTIONS]"));
  repeatable(app.add_option("--mount", o.mounts,
                            "type=bind,source=SRC,target=DST[,ro] or type=tmpfs,target=DST[,...]"));
  repeatable(app.add_option("--volumes-from", o.volumes_from,
                            "mount the volumes of CONTAINER[:ro|rw] (repeatable)"));
  last_wins(app.add_option("--shm-size", o.shm_size, "size of /dev/shm (default 64m)"));
  app.add_flag("--read-only", o.read_only, "mount the root filesystem read-only");

  app.add_option("-m,--memory", o.memory, "memory limit (e.g. 512m, 1g)");
  app.add_option("--pids-limit", o.pids_limit, "most processes at once (0 or -1: no limit)");
  app.add_option("--cpus", o.cpus, "CPU quota in CPUs (e.g. 1.5)");
  app.add_option("--kernel-memory", o.kernel_memory, "accepted and ignored, as podman (a warning)");
  app.add_option("--cgroup-parent", o.cgroup_parent,
                 "where the container's cgroup goes (default: under dabba's own)");

  app.add_option("--stop-signal", o.stop_signal,
                 "signal `stop` sends first (default: the image's StopSignal, else SIGTERM)");
  app.add_option("--stop-timeout", o.stop_timeout,
                 "seconds `stop` waits before SIGKILL (default 10)");
  register_network_flags(app, o.net);
}

namespace {

// rest -> image and command.
void split_image_and_command(const std::vector<std::string>& rest, std::string& image,
                             std::vector<std::string>& command) {
  size_t i = 0;
  if (i < rest.size() && rest[i] == "--") ++i;
  if (i >= rest.size())
    throw Error(Errc::kInvalidArgument, "no image given", 0,
                "dabba run [FLAGS] IMAGE [COMMAND...]");
  if (rest[i].size() > 1 && rest[i][0] == '-')
    throw Error(Errc::kInvalidArgument, "unknown flag '" + rest[i] + "' for run", 0,
                "dabba run --help lists the flags");
  image = rest[i];
  command.assign(rest.begin() + static_cast<std::ptrdiff_t>(i) + 1, rest.end());
}

int parse_stop_timeout(const std::string& text) {
  if (text.empty()) return 10;
  int64_t v = parse_integer(text, "--stop-timeout");
  if (v < 0 || v > 24 * 3600)
    throw Error(Errc::kInvalidArgument, "--stop-timeout must be 0..86400 seconds");
  return static_cast<int>(v);
}

unsigned parse_timeout(const std::string& text) {
  if (text.empty()) return 0;
  int64_t v = parse_integer(text, "--timeout");
  if (v < 0 || v > UINT32_MAX)
    throw Error(Errc::kInvalidArgument, "--timeout must be >= 0 seconds");
  return static_cast<unsigned>(v);
}

// --entrypoint '["/bin/echo","x"]': podman reads a JSON array of strings as the whole entrypoint.
std::optional<std::vector<std::string>> parse_entrypoint_json(
    const std::optional<std::string>& text) {
  if (!text || text->empty() || (*text)[0] != '[') return std::nullopt;
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
  if (!j.is_array()) return std::nullopt;  // not JSON: a command whose name starts with '['
  std::vector<std::string> out;
  for (const auto& e : j) {
    if (!e.is_string())
      throw Error(Errc::kInvalidArgument, "--entrypoint " + *text + ": not an array of strings");
    out.push_back(e.get<std::string>());
  }
  return out;
}

// --log-driver: podman's names. json-file is podman's alias of k8s-file; journald (which dabba
// does not write) keeps the output in the k8s-file log, so `logs` works either way.
runner::LogDriver parse_log_driver(const std::string& name) {
  if (name == "k8s-file" || name == "json-file" || name == "journald")
    return runner::LogDriver::kK8sFile;
  if (name == "none") return runner::LogDriver::kNone;
  if (name == "passthrough") return runner::LogDriver::kPassthrough;
  throw Error(Errc::kInvalidArgument,
              "running container create option: invalid log driver: "
              "invalid argument",
              0, "--log-driver takes k8s-file, json-file, journald, none or passthrough");
}

void parse_log_opts(const std::vector<std::string>& opts, RunOptions& o) {
  for (const std::string& opt : opts) {
    auto eq = opt.find('=');
    std::string key = opt.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : opt.substr(eq + 1);
    if (eq == std::string::npos || value.empty())
      throw Error(Errc::kInvalidArgument, "invalid log option '" + opt + "'", 0,
                  "--log-opt takes path=FILE, max-size=SIZE or tag=TEXT");
    if (key == "path") {
      if (value[0] != '/')
        value = (std::filesystem::current_path() / value).lexically_normal().string();
      o.log.path = value;
    } else if (key == "max-size") {
      o.log.max_size = parse_decimal_size(value, "max-size");
    } else if (key == "tag") {
      o.log_tag = value;
    } else {
      throw Error(Errc::kInvalidArgument, "unknown log option '" + key + "'", 0,
                  "--log-opt takes path=FILE, max-size=SIZE or tag=TEXT");
    }
  }
}

void parse_attach(const std::vector<std::string>& streams, RunOptions& o) {
  if (streams.empty()) return;
  o.attach_stdin = o.attach_stdout = o.attach_stderr = false;
  for (const std::string& s : streams) {
    std::string lower;
    for (char c : s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "stdin")
      o.attach_stdin = true;
    else if (lower == "stdout")
      o.attach_stdout = true;
    else if (lower == "stderr")
      o.attach_stderr = true;
    else
      throw Error(Errc::kInvalidArgument, "invalid stream \"" + s + "\" for --attach", 0,
                  "must be stdin, stdout, or stderr");
  }
}

// --tz: the host's zoneinfo file for a zone name ("local": the host's own /etc/localtime).
std::string timezone_file(const std::string& tz) {
  if (tz.empty()) return "";
  if (tz == "local") return "/etc/localtime";
  if (tz[0] == '/' || tz.find("..") != std::string::npos)
    throw Error(Errc::kInvalidArgument, "finding timezone: unknown time zone " + tz);
  std::string path = "/usr/share/zoneinfo/" + tz;
  if (!is_regular_file(path))
    throw Error(Errc::kInvalidArgument, "finding timezone: unknown time zone " + tz, 0,
                "give a name from /usr/share/zoneinfo (e.g. Europe/Paris), or local");
  return path;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> parse_label_lines(const std::string& text,
                                                                   const std::string& path) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string line = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? text.size() : nl + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    line.erase(0, start);
    auto eq = line.find('=');
    std::string key = line.substr(0, eq);
    if (key.empty())
      throw Error(Errc::kInvalidArgument, path + ": invalid label '" + line + "'", 0,
                  "labels are KEY=VALUE");
    out.emplace_back(key, eq == std::string::npos ? "" : line.substr(eq + 1));
  }
  return out;
}

namespace {

// --ulimit, --sysctl, --device, --group-add: checked as podman checks them at create (a device
// must exist now; it is looked for again at each start).
void parse_process_extras(const RunFlags& f, RunOptions& o) {
  for (const std::string& u : f.ulimits) {
    if (u == "host")
      o.ulimit_host = true;
    else
      o.ulimits.push_back(runner::parse_ulimit(u));
  }
  for (const std::string& s : f.sysctls) {
    o.sysctls.push_back(runner::parse_sysctl(s));
    runner::check_sysctl_network(o.sysctls.back(), o.network.mode);
    const std::string& name = o.sysctls.back().first;
    if (f.ipc == "host" && (name.rfind("kernel.", 0) == 0 || name.rfind("fs.mqueue.", 0) == 0))
      throw Error(Errc::kInvalidArgument, "sysctl " + name + "=" + o.sysctls.back().second +
                                              " can't be set since IPC Namespace set to host: "
                                              "invalid argument");
  }
  for (const std::string& d : f.devices) o.devices.push_back(runner::parse_device(d));
  runner::device_binds(o.devices);
  runner::check_group_add(f.group_add);
}

void parse_labels(const RunFlags& f, RunOptions& o) {
  for (const std::string& path : f.label_files) {
    std::string text = read_flag_file(path, "--label-file names a file of KEY=VALUE lines");
    for (auto& [k, v] : parse_label_lines(text, path)) o.labels.insert_or_assign(k, v);
  }
  for (const std::string& l : f.labels)
    for (auto& [k, v] : parse_label_lines(l, "--label")) o.labels.insert_or_assign(k, v);
}

}  // namespace

namespace {

// "NAME=..." entries of defaults whose NAME no entry of flags has, before the flags' own (the
// runner applies them in order: a flag's value would win anyway, this keeps each name once).
void add_defaults(const std::vector<std::string>& defaults, std::vector<std::string>& flags,
                  const std::function<bool(const std::string& name)>& skip = {}) {
  auto name_of = [](const std::string& entry) { return entry.substr(0, entry.find('=')); };
  std::vector<std::string> out;
  for (const std::string& d : defaults) {
    const std::string name = name_of(d);
    if (skip && skip(name)) continue;
    if (std::none_of(flags.begin(), flags.end(),
                     [&](const std::string& f) { return name_of(f) == name; }))
      out.push_back(d);
  }
  out.insert(out.end(), flags.begin(), flags.end());
  flags = std::move(out);
}

}  // namespace

void apply_containers_conf(const ContainersConf& c, const std::function<bool(const char*)>& given,
                           RunFlags& f) {
  // Added to what the flags give, as podman does; a default net.* sysctl is left out of a
  // container on the host's network or another container's (podman's rule), and --ulimit host
  // takes no default.
  if (c.default_sysctls)
    add_defaults(*c.default_sysctls, f.sysctls, [&f](const std::string& name) {
      return (f.net.network == "host" || f.net.network.rfind("container:", 0) == 0) &&
             name.rfind("net.", 0) == 0;
    });
  if (c.default_ulimits &&
      std::find(f.ulimits.begin(), f.ulimits.end(), "host") == f.ulimits.end())
    add_defaults(*c.default_ulimits, f.ulimits);
  if (c.devices) f.devices.insert(f.devices.begin(), c.devices->begin(), c.devices->end());
  if (c.env) f.conf_env = *c.env;
  if (c.default_capabilities) f.default_capabilities = c.default_capabilities;
  if (c.env_host && !given("--env-host")) f.env_host = *c.env_host;
  if (c.http_proxy && !given("--http-proxy")) f.http_proxy = *c.http_proxy;
  if (c.dns_servers && !given("--dns")) f.net.dns = *c.dns_servers;
  if (c.dns_searches && !given("--dns-search")) f.net.dns_search = *c.dns_searches;
  if (c.dns_options && !given("--dns-opt")) f.net.dns_opt = *c.dns_options;
  if (c.tz && !given("--tz")) f.tz = *c.tz;
  if (c.base_hosts_file) f.net.base_hosts_file = *c.base_hosts_file;
  if (c.host_containers_internal_ip) f.net.host_internal_ip = *c.host_containers_internal_ip;
  // The default --userns; --uidmap/--gidmap given mean their own namespace (podman's rule).
  if (c.userns && !given("--userns") && !given("--uidmap") && !given("--gidmap"))
    f.userns = *c.userns;
  if (c.default_rootless_network_cmd) {
    const std::string& cmd = *c.default_rootless_network_cmd;
    if (cmd != "slirp4netns" && cmd != "pasta")
      throw Error(Errc::kInvalidArgument,
                  "containers.conf: default_rootless_network_cmd \"" + cmd + "\" is not valid", 0,
                  "set it to slirp4netns or pasta");
    f.net.pasta_default = cmd == "pasta";
    if (f.net.pasta_default && !given("--network")) f.net.network = "pasta";
  }
  if (c.pids_limit && !given("--pids-limit")) f.pids_limit = std::to_string(*c.pids_limit);
  if (c.shm_size && !given("--shm-size")) f.shm_size = *c.shm_size;
  if (c.init && !given("--init")) f.init = *c.init;
  if (c.log_driver && !c.log_driver->empty() && !given("--log-driver")) {
    try {
      parse_log_driver(*c.log_driver);
      f.log_driver = *c.log_driver;
    } catch (const Error&) {
      log_warn("containers.conf: log_driver \"" + *c.log_driver +
               "\" is not one dabba has: the default k8s-file is used");
    }
  }
}

RunOptions parse_run_command(const CLI::App& app, RunFlags& f) {
  f.rest = app.remaining();
  apply_containers_conf(
      ContainersConf::load(), [&app](const char* flag) { return app.count(flag) > 0; }, f);
  return parse_run_options(f);
}

namespace {

// --uts/--ipc/--pid/--cgroupns: podman's modes are host, private, ns:PATH, container:ID (and for
// --ipc shareable, none); dabba has the one each container gets (supported) and says so for the
// rest. Anything else is podman's error.
void check_namespace_mode(const char* flag, const std::string& value,
                          std::initializer_list<const char*> supported) {
  if (value.empty()) return;
  for (const char* s : supported)
    if (value == s) return;
  const bool podmans = value == "host" || value == "private" || value == "shareable" ||
                       value == "none" || value.rfind("ns:", 0) == 0 ||
                       value.rfind("container:", 0) == 0;
  if (!podmans)
    throw Error(Errc::kInvalidArgument, "unrecognized namespace mode " + value + " passed");
  std::string have;
  for (const char* s : supported) have += std::string(have.empty() ? "" : " or ") + s;
  throw Error(Errc::kUnsupported, std::string(flag) + " " + value + " is not supported", 0,
              std::string("dabba gives every container its own namespaces: leave ") + flag +
                  " out or give " + have);
}

// podman's rule for -v, --tmpfs and --mount: the very same mount given twice is one; two different
// ones on one destination are its error.
std::vector<runner::MountSpec> without_duplicate_mounts(std::vector<runner::MountSpec> mounts) {
  std::vector<runner::MountSpec> out;
  for (runner::MountSpec& m : mounts) {
    auto same = std::find_if(out.begin(), out.end(),
                             [&](const runner::MountSpec& o) { return o.target == m.target; });
    if (same == out.end())
      out.push_back(std::move(m));
    else if (!(*same == m))
      throw Error(Errc::kInvalidArgument, m.target + ": duplicate mount destination");
  }
  return out;
}

}  // namespace

std::string parse_expose(const std::string& text) {
  const size_t slash = text.find('/');
  const std::string ports = text.substr(0, slash);
  const std::string proto = slash == std::string::npos ? "tcp" : text.substr(slash + 1);
  if (proto != "tcp" && proto != "udp" && proto != "sctp")
    throw Error(Errc::kInvalidArgument, "invalid protocol \"" + proto + "\" for --expose", 0,
                "use PORT[/tcp|udp|sctp]");
  auto port = [&](const std::string& p) {
    const bool digits =
        !p.empty() && std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; });
    unsigned long value = 0;
    const auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
    if (!digits || ec != std::errc() || value > 65535)
      throw Error(Errc::kInvalidArgument,
                  "invalid range format for --expose: " + text + ": strconv.ParseUint: parsing \"" +
                      p + "\": " + (digits ? "value out of range" : "invalid syntax"));
    return value;
  };
  const size_t dash = ports.find('-');
  if (dash == std::string::npos) {
    port(ports);
  } else if (port(ports.substr(0, dash)) > port(ports.substr(dash + 1))) {
    throw Error(Errc::kInvalidArgument, "invalid range format for --expose: " + text +
                                            ": the first port is above the last");
  }
  return ports + "/" + proto;
}

RunOptions parse_run_options(RunFlags f) {
  RunOptions o;
  if (f.rmi) f.rm = true;  // podman: --rmi implies --rm
  split_image_and_command(f.rest, o.image, o.command);
  if (!f.name.empty()) check_container_name(f.name);
  if (f.pull != "never" && f.pull != "missing" && f.pull != "always")
    throw Error(Errc::kInvalidArgument, "unknown --pull policy '" + f.pull + "'", 0,
                "use --pull never, missing or always");
  o.pull = parse_pull_policy(f.pull);
  if (f.systemd != "true" && f.systemd != "false" && f.systemd != "always")
    throw Error(Errc::kInvalidArgument,
                "invalid config provided: --systemd values must be one of \"true, false, always\": "
                "invalid configuration");
  if (f.systemd == "always")
    throw Error(Errc::kUnsupported, "--systemd=always is not supported", 0,
                "dabba has no systemd mode; leave --systemd out or give true or false");
  if (!f.kernel_memory.empty())
    log_warn("The --kernel-memory flag is no longer supported. This flag is a noop.");
  for (const auto& [name, value] : f.health)
    if (!value.empty())
      throw Error(Errc::kUnsupported, name + " is not supported: dabba runs no healthchecks", 0,
                  "leave out the --health-* flags (--no-healthcheck is accepted)");
  for (const std::string& e : f.expose) o.exposed_ports.push_back(parse_expose(e));
  check_namespace_mode("--uts", f.uts, {"private", "host"});
  if (f.ipc.rfind("container:", 0) != 0 || f.ipc.size() == 10)
    check_namespace_mode("--ipc", f.ipc, {"private", "shareable", "host", "none"});
  if (f.uts == "host" && !f.hostname.empty())
    throw Error(Errc::kInvalidArgument,
                "invalid config provided: cannot set hostname when running in the host UTS "
                "namespace");
  check_namespace_mode("--pid", f.pid, {"private"});
  // No cgroup namespace of its own: the container sees the host's cgroup paths (podman's "host").
  check_namespace_mode("--cgroupns", f.cgroupns, {"host"});
  if (!f.oom_score_adj.empty()) {
    const int64_t value = parse_integer(f.oom_score_adj, "--oom-score-adj");
    if (value < -1000 || value > 1000)
      throw Error(Errc::kInvalidArgument,
                  "--oom-score-adj " + f.oom_score_adj + " is out of range", 0,
                  "give a value from -1000 to 1000");
    o.oom_score_adj = static_cast<int>(value);
  }
  if (!f.platform.empty()) o.platform = Platform::parse(f.platform);
  o.limits.memory_bytes = parse_memory(f.memory);
  o.limits.pids_max = parse_pids_limit(f.pids_limit);
  o.limits.cpus = parse_cpus(f.cpus);
  // podman on cgroup v1, rootless, notes any resource flag as ignored (its line, bare); dabba
  // ignores only those that ask for no limit (--memory=0): a real limit nothing could enforce
  // fails the start instead.
  if ((!f.memory.empty() || !f.pids_limit.empty() || !f.cpus.empty()) && !o.limits.any() &&
      ::geteuid() != 0 && !runner::unified_cgroups())
    std::fputs("Resource limits are not supported and ignored on cgroups V1 rootless systems\n",
               stderr);
  if (!f.stop_signal.empty()) o.stop_signal = runner::parse_signal(f.stop_signal);
  o.stop_timeout = parse_stop_timeout(f.stop_timeout);
  for (const auto& v : f.volumes) o.mounts.push_back(runner::parse_volume(v));
  for (const auto& t : f.tmpfs) o.mounts.push_back(runner::parse_tmpfs(t));
  for (const auto& m : f.mounts) o.mounts.push_back(runner::parse_mount(m));
  o.mounts = without_duplicate_mounts(std::move(o.mounts));
  for (const auto& v : f.volumes_from) o.volumes_from.push_back(parse_volumes_from(v));
  if (!f.shm_size.empty()) {
    o.shm_size = runner::parse_memory_size(f.shm_size);
    if (o.shm_size < 4096)
      throw Error(Errc::kInvalidArgument, "--shm-size " + f.shm_size + " is too small", 0,
                  "give at least 4k");
  }
  o.restart = runner::parse_restart_policy(f.restart);
  if (f.rm && o.restart.kind != runner::RestartKind::kNo)
    throw Error(Errc::kInvalidArgument,
                "the --rm option conflicts with --restart, when the restartPolicy is not \"\" "
                "and \"no\"");
  o.userns = parse_userns(f.userns, f.uidmap, f.gidmap);
  o.network = parse_network_flags(f.net);
  parse_process_extras(f, o);
  o.security = parse_security_options(f.security_opt);
  if (f.default_capabilities)
    o.security.default_capabilities = runner::capabilities_named(
        *f.default_capabilities, "containers.conf default_capabilities");
  // Checked here, applied by build_spec.
  runner::capability_set(f.cap_add, f.cap_drop, o.security.default_capabilities);
  if (f.workdir && (f.workdir->empty() || (*f.workdir)[0] != '/'))
    throw Error(Errc::kInvalidArgument, "-w '" + *f.workdir + "' must be an absolute path");
  o.entrypoint_json = parse_entrypoint_json(f.entrypoint);
  o.log.driver = parse_log_driver(f.log_driver);
  o.log_driver = f.log_driver == "json-file" ? "k8s-file" : f.log_driver;
  parse_log_opts(f.log_opts, o);
  if (o.log.driver == runner::LogDriver::kPassthrough && f.detach)
    throw Error(Errc::kInvalidArgument, "passthrough logging is not supported with --detach", 0,
                "use --log-driver k8s-file (the default) for a detached container");
  if (o.log.driver == runner::LogDriver::kPassthrough && f.tty)
    throw Error(Errc::kInvalidArgument, "passthrough logging is not supported with --tty");
  o.timeout = parse_timeout(f.timeout);
  parse_attach(f.attach, o);
  if (f.detach && !f.attach.empty())
    throw Error(Errc::kInvalidArgument, "--attach and --detach cannot be used together");
  o.tz_file = timezone_file(f.tz);
  parse_labels(f, o);
  if (!f.cidfile.empty() && path_exists(f.cidfile))
    throw Error(Errc::kAlreadyExists,
                "container id file exists. Ensure another container is not using it or delete " +
                    f.cidfile);
  o.flags = std::move(f);
  return o;
}

int stop_signal_for(const RunOptions& o, const runner::ImageConfig& image) {
  if (o.stop_signal) return *o.stop_signal;
  if (!image.stop_signal.empty()) {
    try {
      return runner::parse_signal(image.stop_signal);
    } catch (const Error&) {
      // An image's odd StopSignal must not make it unrunnable: stop falls back to SIGTERM.
    }
  }
  return SIGTERM;
}

namespace {

// -P: each port the image exposes as `-p PORT/PROTO` (a free host port on every address), as
// Docker does: only with a network of the container's own, not for a port -p already publishes,
// and ports dabba cannot publish (ranges, sctp) skipped with a warning.
void add_exposed_ports(const std::vector<std::string>& exposed, const std::string& network_flag,
                       runner::NetworkSpec& network) {
  if (network.mode != runner::NetworkMode::kSlirp4netns &&
      network.mode != runner::NetworkMode::kBridge && network.mode != runner::NetworkMode::kPasta) {
    if (!exposed.empty())
      log_warn("-P: published ports are discarded with --network " + network_flag);
    return;
  }
  const size_t given = network.ports.size();
  for (const std::string& port : exposed) {
    runner::PortMapping m;
    try {
      m = runner::parse_publish(port);
    } catch (const Error&) {
      log_warn("-P: the image's exposed port " + port + " cannot be published: skipped");
      continue;
    }
    bool taken = false;
    for (size_t i = 0; i < given; ++i)
      taken = taken || (network.ports[i].container_port == m.container_port &&
                        network.ports[i].protocol == m.protocol);
    if (!taken) network.ports.push_back(m);
  }
  runner::validate_network(network);
}

// --uts host: the host's name, which the container keeps (its /etc/hostname and HOSTNAME say it).
std::string host_name() {
  char buf[HOST_NAME_MAX + 1] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) throw_errno("gethostname");
  return buf;
}

}  // namespace

runner::Spec build_spec(const RunOptions& o, const SpecInputs& in) {
  const RunFlags& f = o.flags;
  runner::Spec spec;
  spec.id = in.id;
  spec.container_dir = in.container_dir;
  spec.layers = in.layers;
  spec.hostname = f.hostname.empty() ? in.id.substr(0, 12) : f.hostname;
  spec.host_uts = f.uts == "host";
  spec.host_ipc = f.ipc == "host";
  spec.ipc_none = f.ipc == "none";
  if (f.ipc.rfind("container:", 0) == 0) spec.ipc_container = f.ipc.substr(10);
  if (spec.host_uts) spec.hostname = host_name();  // what the container sees: the host's

  if (o.entrypoint_json) {
    // The whole entrypoint; the image's Cmd goes with its Entrypoint, as with any --entrypoint.
    spec.argv = *o.entrypoint_json;
    spec.argv.insert(spec.argv.end(), o.command.begin(), o.command.end());
    if (spec.argv.empty() || spec.argv[0].empty())
      throw Error(Errc::kInvalidArgument, "no command specified", 0,
                  "--entrypoint '[]' leaves nothing to run: give a command after the image");
  } else {
    spec.argv = runner::command_line(in.image, f.entrypoint, o.command);
  }
  spec.cwd = runner::working_dir(in.image, f.workdir);
  spec.create_cwd = !f.workdir;  // podman creates the image's WorkingDir, never a -w
  spec.user = runner::user_spec(in.image, f.user);
  spec.group_add = f.group_add;
  spec.ulimits = o.ulimits;
  spec.ulimit_host = o.ulimit_host;
  spec.oom_score_adj = o.oom_score_adj;
  spec.sysctls = o.sysctls;
  spec.devices = o.devices;
  spec.tty = f.tty;
  spec.stdin_open = f.interactive && o.attach_stdin;
  spec.init = f.init;
  spec.attach_stdout = o.attach_stdout;
  spec.attach_stderr = o.attach_stderr;
  spec.log = o.log;
  spec.timeout_seconds = o.timeout;
  spec.restart = o.restart;
  apply_security_options(o.security, f.privileged, f.cap_add, f.cap_drop, spec);

  runner::EnvInputs env;
  env.image_env = in.image.env;
  for (const auto& path : f.env_files) {
    std::string text = read_flag_file(path, "--env-file names a file of K=V lines");
    env.env_files.push_back({path, std::move(text)});
  }
  env.env_flags = f.env;
  env.hostname = spec.hostname;
  env.tty = f.tty;
  if (f.env_host)
    for (char** e = environ; *e != nullptr; ++e) env.host_env.emplace_back(*e);
  env.http_proxy = f.http_proxy;
  env.conf_env = f.conf_env;
  spec.env = runner::merge_env(env);
  spec.owner_pidfile = f.conmon_pidfile.empty()
                          ? std::string()
                          : std::filesystem::absolute(f.conmon_pidfile).lexically_normal().string();
  spec.pidfile = f.pidfile.empty()
                     ? std::string()
                     : std::filesystem::absolute(f.pidfile).lexically_normal().string();
  spec.shm_size = o.shm_size;

  spec.mounts = o.mounts;
  spec.read_only = f.read_only;
  // The upper dir of a --rm container is deleted after the run: no need to sync it (runner.md).
  spec.volatile_upper = f.rm;

  spec.limits = o.limits;
  spec.cgroup_parent = f.cgroup_parent;

  spec.network = o.network;
  if (f.net.publish_all) {
    std::vector<std::string> exposed = in.image.exposed_ports;
    exposed.insert(exposed.end(), o.exposed_ports.begin(), o.exposed_ports.end());
    add_exposed_ports(exposed, f.net.network, spec.network);
  }
  spec.etc = runner::default_etc_files(spec.hostname, spec.network);
  if (!o.tz_file.empty()) spec.etc.localtime = read_file(o.tz_file);
  return spec;
}

}  // namespace dabba::cli
