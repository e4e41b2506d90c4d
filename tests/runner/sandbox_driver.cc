// A stand-in for `dabba run` while the store and the CLI glue are not there: takes layer
// directories and run flags, builds the Spec with the runner's own helpers, enters dabba's user
// namespace exactly as cli/main.cc does, and runs the container in the foreground. Driven by
// tests/integration/runner_*.sh and the start-up benchmark.
//
//   sandbox_driver --layer DIR [--layer DIR...] --container-dir DIR [flags] [-- CMD ARGS...]
//   sandbox_driver exec --container-dir DIR [-u U] [-w D] [-e K=V] [-t] [-i] -- CMD ARGS...
//   sandbox_driver state --container-dir DIR
//   sandbox_driver ports --container-dir DIR      (the published ports, as `ps` shows them)
//   sandbox_driver stop --container-dir DIR [SIGNAL [TIMEOUT_MS]]
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/fs.h"
#include "common/idmap.h"
#include "common/log.h"
#include "common/userns.h"
#include "runner/container.h"
#include "runner/env.h"
#include "runner/etc_files.h"
#include "runner/join.h"
#include "runner/net/network_parse.h"
#include "runner/net/port_publish.h"
#include "runner/process_config.h"
#include "runner/run.h"
#include "runner/signals.h"
#include "runner/spec.h"
#include "runner/state.h"
#include "runner/stop.h"
#include "runner/supervisor.h"

namespace {

using namespace dabba;
using namespace dabba::runner;

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(stderr, "sandbox_driver: %s\n", why.c_str());
  std::exit(125);
}

// exec: joins the container recorded in DIR/state. Stays in the initial user namespace (see
// runner/join.h).
int exec_main(int argc, char** argv) {
  JoinSpec join;
  std::string dir;
  std::vector<std::string> env_flags;
  int i = 2;
  auto value = [&](const char* flag) -> std::string {
    if (i + 1 >= argc) usage(std::string(flag) + " needs a value");
    return argv[++i];
  };
  for (; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--") {
      for (++i; i < argc; ++i) join.argv.push_back(argv[i]);
      break;
    } else if (a == "--container-dir") {
      dir = value("--container-dir");
    } else if (a == "-u") {
      join.user = value("-u");
    } else if (a == "-w") {
      join.cwd = value("-w");
    } else if (a == "-e") {
      env_flags.push_back(value("-e"));
    } else if (a == "-t") {
      join.tty = true;
    } else if (a == "-i") {
      join.stdin_open = true;
    } else if (a == "-it" || a == "-ti") {
      join.tty = join.stdin_open = true;
    } else {
      usage("exec: unknown flag " + a);
    }
  }
  auto state = read_state(dir);
  if (!state || !alive(*state)) usage("exec: the container in " + dir + " is not running");
  join.pid = state->pid;
  join.pid_start_time = state->pid_start_time;
  join.cgroups = state->cgroups;
  EnvInputs env;
  env.tty = join.tty;
  env.env_flags = env_flags;
  join.env = merge_env(env);
  return exec_foreground(join);
}

int driver_main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "exec") return exec_main(argc, argv);
  // stop --container-dir DIR [SIGNAL [TIMEOUT_MS]]
  if (argc > 3 && std::string(argv[1]) == "stop") {
    int sig = argc > 4 ? parse_signal(argv[4]) : SIGTERM;
    int ms = argc > 5 ? std::stoi(argv[5]) : 10000;
    StopResult r = stop_container(argv[3], sig, std::chrono::milliseconds(ms));
    std::printf("%s\n", r == StopResult::kNotRunning ? "not-running"
                        : r == StopResult::kExited   ? "exited"
                                                     : "killed");
    return 0;
  }
  if (argc > 2 && std::string(argv[1]) == "ports") {
    std::printf("%s\n", format_ports(read_published_ports(argc > 3 ? argv[3] : argv[2])).c_str());
    return 0;
  }
  if (argc > 2 && std::string(argv[1]) == "state") {
    auto state = read_state(argc > 3 ? argv[3] : argv[2]);
    if (!state) usage("no state");
    std::fputs(format_state(*state).c_str(), stdout);
    std::printf("alive=%d\n", alive(*state) ? 1 : 0);
    return 0;
  }
  // For the start-up benchmark's breakdown: only enter dabba's user namespace, as the CLI would.
  if (argc == 2 && std::string(argv[1]) == "--enter-userns-only") {
    enter_default_user_namespace();
    return 0;
  }
  Spec spec;
  bool detach = false;
  ImageConfig image;
  std::optional<std::string> entrypoint, workdir, user;
  std::vector<std::string> args;
  EnvInputs env;
  std::string mount_api = "auto";

  int i = 1;
  auto value = [&](const char* flag) -> std::string {
    if (i + 1 >= argc) usage(std::string(flag) + " needs a value");
    return argv[++i];
  };
  for (; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--") {
      for (++i; i < argc; ++i) args.push_back(argv[i]);
      break;
    } else if (a == "--layer") {
      spec.layers.push_back(value("--layer"));
    } else if (a == "--container-dir") {
      spec.container_dir = value("--container-dir");
    } else if (a == "--id") {
      spec.id = value("--id");
    } else if (a == "--rm") {
      spec.volatile_upper = true;  // as the CLI will for --rm
    } else if (a == "--read-only") {
      spec.read_only = true;
    } else if (a == "-v") {
      spec.mounts.push_back(parse_volume(value("-v")));
    } else if (a == "--tmpfs") {
      spec.mounts.push_back(parse_tmpfs(value("--tmpfs")));
    } else if (a == "--hostname") {
      spec.hostname = value("--hostname");
    } else if (a == "-e") {
      env.env_flags.push_back(value("-e"));
    } else if (a == "--env-file") {
      std::string path = value("--env-file");
      env.env_files.push_back({path, read_file(path)});
    } else if (a == "--image-env") {
      image.env.push_back(value("--image-env"));
    } else if (a == "--image-entrypoint") {
      image.entrypoint.push_back(value("--image-entrypoint"));
    } else if (a == "--image-cmd") {
      image.cmd.push_back(value("--image-cmd"));
    } else if (a == "--image-workdir") {
      image.working_dir = value("--image-workdir");
    } else if (a == "--image-user") {
      image.user = value("--image-user");
    } else if (a == "--entrypoint") {
      entrypoint = value("--entrypoint");
    } else if (a == "-u") {
      user = value("-u");
    } else if (a == "-w") {
      workdir = value("-w");
    } else if (a == "-t") {
      spec.tty = true;
    } else if (a == "-i") {
      spec.stdin_open = true;
    } else if (a == "-it" || a == "-ti") {
      spec.tty = spec.stdin_open = true;
    } else if (a == "--init") {
      spec.init = true;
    } else if (a == "--network") {
      NetworkSpec n = parse_network(value("--network"));
      n.ports = std::move(spec.network.ports);
      n.dns = std::move(spec.network.dns);
      n.extra_hosts = std::move(spec.network.extra_hosts);
      spec.network = std::move(n);
    } else if (a == "-p" || a == "--publish") {
      spec.network.ports.push_back(parse_publish(value("-p")));
    } else if (a == "--dns") {
      spec.network.dns.push_back(parse_dns(value("--dns")));
    } else if (a == "--add-host") {
      spec.network.extra_hosts.push_back(parse_add_host(value("--add-host")));
    } else if (a == "--memory") {
      spec.limits.memory_bytes = parse_memory_size(value("--memory"));
    } else if (a == "--pids-limit") {
      spec.limits.pids_max = std::stoull(value("--pids-limit"));
    } else if (a == "--cpus") {
      spec.limits.cpus = std::stod(value("--cpus"));
    } else if (a == "--cgroup-parent") {
      spec.cgroup_parent = value("--cgroup-parent");
    } else if (a == "--mount-api") {
      mount_api = value("--mount-api");
    } else if (a == "--detach" || a == "-d") {
      detach = true;
    } else if (a == "--debug") {
      set_log_level(LogLevel::kDebug);
    } else {
      usage("unknown flag " + a);
    }
  }
  if (mount_api == "legacy")
    spec.mount_api = MountApi::kLegacy;
  else if (mount_api == "lowerdir+")
    spec.mount_api = MountApi::kLowerdirPlus;
  else if (mount_api != "auto")
    usage("--mount-api auto|lowerdir+|legacy");
  if (spec.id.empty()) spec.id = "0123456789abcdef0123456789abcdef";

  // As cli/main.cc: a rootless caller enters dabba's user namespace while single-threaded.
  IdMap map = enter_default_user_namespace();
  spec.id_map = default_id_map(host_identity());
  (void)map;

  spec.argv = command_line(image, entrypoint, args);
  spec.cwd = working_dir(image, workdir);
  spec.user = user_spec(image, user);
  std::string hostname = spec.hostname.empty() ? spec.id.substr(0, 12) : spec.hostname;
  env.image_env = image.env;
  env.hostname = hostname;
  env.tty = spec.tty;
  spec.env = merge_env(env);
  validate_network(spec.network);
  spec.etc = default_etc_files(hostname, spec.network);
  if (detach) {
    DetachedContainer c = start_detached(spec);
    std::printf("%d\n", c.pid);
    return 0;
  }
  return run_foreground(spec);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return driver_main(argc, argv);
  } catch (const dabba::runner::ExecError& e) {
    std::fprintf(stderr, "sandbox_driver: error: %s\n", e.what());
    return e.exit_code();
  } catch (const dabba::Error& e) {
    std::fprintf(stderr, "sandbox_driver: error: %s\n", e.what());
    if (!e.hint().empty()) std::fprintf(stderr, "sandbox_driver: hint: %s\n", e.hint().c_str());
    return 125;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sandbox_driver: error: %s\n", e.what());
    return 125;
  }
}
