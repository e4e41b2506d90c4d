#include "cli/run_options.h"

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "cli/command.h"
#include "cli/container_names.h"
#include "cli/security_options.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/log.h"
#include "runner/capabilities.h"
#include "runner/env.h"
#include "runner/etc_files.h"
#include "runner/net/network_parse.h"
#include "runner/signals.h"

namespace dabba::cli {
namespace {

// A whole decimal number; what names the flag in the error.
int64_t parse_integer(const std::string& text, const char* what) {
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno == ERANGE)
    throw Error(Errc::kInvalidArgument,
                std::string("invalid value '") + text + "' for " + what + ": not a whole number");
  return v;
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
  app.add_option("--name", o.name, "the container's name (default: a generated one)");

  app.add_option("--pull", o.pull, "pull the image: never, missing or always")
      ->capture_default_str();
  app.add_option("--platform", o.platform,
                 "os/arch[/variant] to pull from a multi-platform image (default: this host's)");

  app.add_flag("-i,--interactive", o.interactive, "keep stdin open");
  app.add_flag("-t,--tty", o.tty, "allocate a pseudo-terminal");
  repeatable(
      app.add_option("-e,--env", o.env, "set an environment variable (K=V, or K to pass ours)"));
  repeatable(app.add_option("--env-file", o.env_files, "read environment variables from a file"));
  app.add_option("-u,--user", o.user, "user[:group] or uid[:gid] to run as");
  app.add_option("-w,--workdir", o.workdir, "working directory inside the container");
  app.add_option("--entrypoint", o.entrypoint, "override the image's entrypoint");
  app.add_option("-h,--hostname", o.hostname, "the container's hostname (default: its short id)");
  app.add_flag("--init", o.init, "run a small init as PID 1 that forwards signals and reaps");
  repeatable(app.add_option("--cap-add", o.cap_add, "add a capability (e.g. NET_RAW, or ALL)"));
  repeatable(app.add_option("--cap-drop", o.cap_drop, "drop a capability (e.g. CHOWN, or ALL)"));
  repeatable(app.add_option("--security-opt", o.security_opt,
                            "seccomp=unconfined|PROFILE.json, mask=PATHS, unmask=ALL|PATHS, "
                            "no-new-privileges (always on)"));
  app.add_flag("--privileged", o.privileged,
               "every capability, no seccomp filter, no masked paths, the host's devices");

  repeatable(app.add_option("-v,--volume", o.volumes, "bind mount SRC:DST[:ro]"));
  repeatable(app.add_option("--tmpfs", o.tmpfs, "mount a tmpfs at DST[:OPTIONS]"));
  app.add_flag("--read-only", o.read_only, "mount the root filesystem read-only");

  app.add_option("-m,--memory", o.memory, "memory limit (e.g. 512m, 1g)");
  app.add_option("--pids-limit", o.pids_limit, "most processes at once (0 or -1: no limit)");
  app.add_option("--cpus", o.cpus, "CPU quota in CPUs (e.g. 1.5)");
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

}  // namespace

RunOptions parse_run_options(RunFlags f) {
  RunOptions o;
  split_image_and_command(f.rest, o.image, o.command);
  if (!f.name.empty()) check_container_name(f.name);
  if (f.pull != "never" && f.pull != "missing" && f.pull != "always")
    throw Error(Errc::kInvalidArgument, "unknown --pull policy '" + f.pull + "'", 0,
                "use --pull never, missing or always");
  o.pull = parse_pull_policy(f.pull);
  if (!f.platform.empty()) o.platform = Platform::parse(f.platform);
  o.limits.memory_bytes = parse_memory(f.memory);
  o.limits.pids_max = parse_pids_limit(f.pids_limit);
  o.limits.cpus = parse_cpus(f.cpus);
  if (!f.stop_signal.empty()) o.stop_signal = runner::parse_signal(f.stop_signal);
  o.stop_timeout = parse_stop_timeout(f.stop_timeout);
  for (const auto& v : f.volumes) o.mounts.push_back(runner::parse_volume(v));
  for (const auto& t : f.tmpfs) o.mounts.push_back(runner::parse_tmpfs(t));
  o.network = parse_network_flags(f.net);
  runner::capability_set(f.cap_add, f.cap_drop);  // checked here, applied by build_spec
  o.security = parse_security_options(f.security_opt);
  if (f.workdir && (f.workdir->empty() || (*f.workdir)[0] != '/'))
    throw Error(Errc::kInvalidArgument, "-w '" + *f.workdir + "' must be an absolute path");
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
  if (network.mode != runner::NetworkMode::kSlirp4netns) {
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

}  // namespace

runner::Spec build_spec(const RunOptions& o, const SpecInputs& in) {
  const RunFlags& f = o.flags;
  runner::Spec spec;
  spec.id = in.id;
  spec.container_dir = in.container_dir;
  spec.layers = in.layers;
  spec.hostname = f.hostname.empty() ? in.id.substr(0, 12) : f.hostname;

  spec.argv = runner::command_line(in.image, f.entrypoint, o.command);
  spec.cwd = runner::working_dir(in.image, f.workdir);
  spec.user = runner::user_spec(in.image, f.user);
  spec.tty = f.tty;
  spec.stdin_open = f.interactive;
  spec.init = f.init;
  apply_security_options(o.security, f.privileged, f.cap_add, f.cap_drop, spec);

  runner::EnvInputs env;
  env.image_env = in.image.env;
  for (const auto& path : f.env_files) {
    std::string text;
    try {
      text = read_file(path);
    } catch (Error& e) {
      e.set_hint("--env-file names a file of K=V lines");
      throw;
    }
    env.env_files.push_back({path, std::move(text)});
  }
  env.env_flags = f.env;
  env.hostname = spec.hostname;
  env.tty = f.tty;
  spec.env = runner::merge_env(env);

  spec.mounts = o.mounts;
  spec.read_only = f.read_only;
  // The upper dir of a --rm container is deleted after the run: no need to sync it (runner.md).
  spec.volatile_upper = f.rm;

  spec.limits = o.limits;
  spec.cgroup_parent = f.cgroup_parent;

  spec.network = o.network;
  if (f.net.publish_all) add_exposed_ports(in.image.exposed_ports, f.net.network, spec.network);
  spec.etc = runner::default_etc_files(spec.hostname, spec.network);
  return spec;
}

}  // namespace dabba::cli
