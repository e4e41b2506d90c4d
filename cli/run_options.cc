#include "cli/run_options.h"

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "cli/container_names.h"
#include "cli/security_options.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/log.h"
#include "runner/capabilities.h"
#include "runner/env.h"
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

CLI::Option* repeatable(CLI::Option* opt) {
  return opt->allow_extra_args(false)->expected(1)->multi_option_policy(
      CLI::MultiOptionPolicy::TakeAll);
}

void add_run_flags(CLI::App& app, RunOptions& o) {
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

void check_run_options(const RunOptions& o) {
  if (!o.name.empty()) check_container_name(o.name);
  if (o.pull != "never" && o.pull != "missing" && o.pull != "always")
    throw Error(Errc::kInvalidArgument, "unknown --pull policy '" + o.pull + "'", 0,
                "use --pull never, missing or always");
  parse_memory(o.memory);
  parse_pids_limit(o.pids_limit);
  parse_cpus(o.cpus);
  if (!o.stop_signal.empty()) runner::parse_signal(o.stop_signal);
  stop_timeout_for(o);
  for (const auto& v : o.volumes) runner::parse_volume(v);
  for (const auto& t : o.tmpfs) runner::parse_tmpfs(t);
  parse_network_flags(o.net);
  runner::capability_set(o.cap_add, o.cap_drop);
  parse_security_options(o.security_opt);
  if (o.workdir && (o.workdir->empty() || (*o.workdir)[0] != '/'))
    throw Error(Errc::kInvalidArgument, "-w '" + *o.workdir + "' must be an absolute path");
}

int stop_signal_for(const RunOptions& o, const runner::ImageConfig& image) {
  if (!o.stop_signal.empty()) return runner::parse_signal(o.stop_signal);
  if (!image.stop_signal.empty()) {
    try {
      return runner::parse_signal(image.stop_signal);
    } catch (const Error&) {
      // An image's odd StopSignal must not make it unrunnable: stop falls back to SIGTERM.
    }
  }
  return SIGTERM;
}

int stop_timeout_for(const RunOptions& o) {
  if (o.stop_timeout.empty()) return 10;
  int64_t v = parse_integer(o.stop_timeout, "--stop-timeout");
  if (v < 0 || v > 24 * 3600)
    throw Error(Errc::kInvalidArgument, "--stop-timeout must be 0..86400 seconds");
  return static_cast<int>(v);
}

namespace {

// -P: each port the image exposes as `-p PORT/PROTO` (a free host port on every address), as
// Docker does: only with a network of the container's own, not for a port -p already publishes,
// and ports dabba cannot publish (ranges, sctp) skipped with a warning.
void add_exposed_ports(const std::vector<std::string>& exposed, NetworkFlags& net) {
  runner::NetworkSpec parsed = parse_network_flags(net);
  if (parsed.mode != runner::NetworkMode::kSlirp4netns) {
    if (!exposed.empty())
      log_warn("-P: published ports are discarded with --network " + net.network);
    return;
  }
  for (const std::string& port : exposed) {
    runner::PortMapping m;
    try {
      m = runner::parse_publish(port);
    } catch (const Error&) {
      log_warn("-P: the image's exposed port " + port + " cannot be published: skipped");
      continue;
    }
    bool taken = false;
    for (const runner::PortMapping& p : parsed.ports)
      taken = taken || (p.container_port == m.container_port && p.protocol == m.protocol);
    if (!taken) net.publish.push_back(port);
  }
}

}  // namespace

runner::Spec build_spec(const RunOptions& o, const SpecInputs& in) {
  runner::Spec spec;
  spec.id = in.id;
  spec.container_dir = in.container_dir;
  spec.layers = in.layers;
  spec.hostname = o.hostname.empty() ? in.id.substr(0, 12) : o.hostname;

  spec.argv = runner::command_line(in.image, o.entrypoint, in.command);
  spec.cwd = runner::working_dir(in.image, o.workdir);
  spec.user = runner::user_spec(in.image, o.user);
  spec.tty = o.tty;
  spec.stdin_open = o.interactive;
  spec.init = o.init;
  apply_security_options(parse_security_options(o.security_opt), o.privileged, o.cap_add,
                         o.cap_drop, spec);

  runner::EnvInputs env;
  env.image_env = in.image.env;
  for (const auto& path : o.env_files) {
    std::string text;
    try {
      text = read_file(path);
    } catch (Error& e) {
      e.set_hint("--env-file names a file of K=V lines");
      throw;
    }
    env.env_files.push_back({path, std::move(text)});
  }
  env.env_flags = o.env;
  env.hostname = spec.hostname;
  env.tty = o.tty;
  spec.env = runner::merge_env(env);

  for (const auto& v : o.volumes) spec.mounts.push_back(runner::parse_volume(v));
  for (const auto& t : o.tmpfs) spec.mounts.push_back(runner::parse_tmpfs(t));
  spec.read_only = o.read_only;
  // The upper dir of a --rm container is deleted after the run: no need to sync it (runner.md).
  spec.volatile_upper = o.rm;

  spec.limits.memory_bytes = parse_memory(o.memory);
  spec.limits.pids_max = parse_pids_limit(o.pids_limit);
  spec.limits.cpus = parse_cpus(o.cpus);
  spec.cgroup_parent = o.cgroup_parent;

  NetworkFlags net = o.net;
  if (net.publish_all) add_exposed_ports(in.image.exposed_ports, net);
  apply_network_flags(net, spec);  // + the /etc files that go with the network
  return spec;
}

}  // namespace dabba::cli
