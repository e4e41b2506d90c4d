// The runner's API driven without the store and the CLI: takes layer directories (any, made by a
// test: hostile layouts, 150 layers, hand-made whiteouts) and run flags, builds the Spec with the
// runner's own helpers, enters dabba's user namespace exactly as cli/main.cc does, and runs the
// container in the foreground. For what `dabba run` cannot express: tests/integration/runner_*.sh
// and the runner's start-up benchmark (everything else is tested through `dabba run`).
//
//   sandbox_driver --layer DIR [--layer DIR...] --container-dir DIR [flags] [-- CMD ARGS...]
//   sandbox_driver --enter-userns-only
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
#include "runner/net/network_parse.h"
#include "runner/process_config.h"
#include "runner/run.h"
#include "runner/spec.h"

namespace {

using namespace dabba;
using namespace dabba::runner;

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(stderr, "sandbox_driver: %s\n", why.c_str());
  std::exit(125);
}

int driver_main(int argc, char** argv) {
  // For the start-up benchmark's breakdown: only enter dabba's user namespace, as the CLI would.
  if (argc == 2 && std::string(argv[1]) == "--enter-userns-only") {
    enter_default_user_namespace();
    return 0;
  }
  Spec spec;
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
      spec.network = parse_network(value("--network"));
    } else if (a == "--mount-api") {
      mount_api = value("--mount-api");
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
  // As cli/new_container.cc: the map of a namespace the runner makes, real root's only (rootless,
  // a map here would ask for a nested namespace, which is --userns's).
  if (creates_user_namespace()) spec.id_map = default_id_map(host_identity());
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
