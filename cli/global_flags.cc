#include "cli/global_flags.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "cli/command.h"
#include "common/error.h"
#include "common/log.h"
#include "runner/container.h"
#include "store/root_path.h"

namespace dabba::cli {

void add_podman_globals(CLI::App& app, Globals& g) {
  // Values nobody reads: podman's knobs for parts dabba does not have.
  static std::string ignored;
  static std::vector<std::string> ignored_list;
  app.add_option("--runroot", g.runroot, "accepted (dabba keeps run state in the store)");
  app.add_option("--storage-driver", g.storage_driver,
                 "overlay (vfs is accepted: dabba's store is its own overlay store)");
  repeatable(app.add_option("--storage-opt", ignored_list, "accepted, ignored"));
  app.add_flag("--noout", g.noout, "print nothing on stdout (the container's output still shows)");
  app.add_option("--events-backend", ignored, "accepted (dabba keeps no events log)");
  repeatable(app.add_option("--runtime-flag", g.runtime_flags,
                            "an OCI runtime's global flag: runc's and crun's are accepted and "
                            "mean nothing to dabba (its own runtime); others fail a start"));
  app.add_option("--runtime", g.runtime,
                 "accepted; new containers record it as inspect's OCIRuntime (dabba is its own "
                 "runtime)");
  app.add_option("--cgroup-manager", ignored, "accepted (dabba writes cgroupfs itself)");
  app.add_option("--conmon", ignored, "accepted (dabba's supervisor stands for conmon)");
  app.add_option("--tmpdir", ignored, "accepted, ignored");
  app.add_option("--volumepath", g.volume_path,
                 "where volumes live (default: the store's volumes/)");
  app.add_option("--network-cmd-path", ignored, "accepted, ignored");
  app.add_option("--network-config-dir,--cni-config-dir", ignored, "accepted, ignored");
  CLI::Option* remote = app.add_flag(
      "--remote", g.remote, "podman-remote's mode: refused, dabba runs containers itself, locally");
  // podman hides it from --help when the environment or --url/--connection already say where a
  // remote would be (at parse, so before --help prints).
  for (const char* var : {"CONTAINER_HOST", "CONTAINER_CONNECTION"})
    if (const char* v = std::getenv(var); v != nullptr && *v != '\0') remote->group("");
  for (const char* name : {"--url", "--connection"})
    app.add_option(name, g.remote_target, "podman-remote's mode: refused as --remote")
        ->group("")
        ->trigger_on_parse()
        ->each([remote](const std::string&) { remote->group(""); });
  static bool ignored_flag = false;
  app.add_flag("--syslog", ignored_flag, "accepted, ignored");
}

void check_podman_globals(const Globals& g) {
  if (g.remote || !g.remote_target.empty())
    throw Error(
        Errc::kUnsupported,
        std::string(g.remote ? "--remote" : "--url/--connection") + ": dabba has no remote mode", 0,
        "leave it out: dabba runs containers itself, on this machine");
  if (!g.storage_driver.empty() && g.storage_driver != "overlay") {
    if (g.storage_driver != "vfs")
      throw Error(Errc::kInvalidArgument, "unsupported storage driver \"" + g.storage_driver + "\"",
                  0,
                  "dabba's store is an overlay store: --storage-driver overlay (or leave it out)");
    log_debug("--storage-driver vfs: dabba uses its own overlay store");
  }
  // Every Store of this command, and of the processes it starts (the supervisor, its cleanup),
  // keeps volumes there.
  export_volume_path(g.volume_path);
  // Only what dabba prints goes: the FILE, not fd 1, which a container in the foreground writes
  // to directly. (glibc's stdout is an assignable variable; the /dev/null stream lives as long as
  // the process.)
  if (g.noout) {
    if (FILE* null = std::fopen("/dev/null", "w")) stdout = null;
  }
}

void check_runtime_flags(const Globals& g) {
  // The global flags of runc and crun (runc --help, crun --help): podman hands them to the
  // runtime, which refuses any other when the container starts.
  static constexpr std::string_view kKnown[] = {"debug",          "log",      "log-format",
                                                "log-level",      "root",     "criu",
                                                "systemd-cgroup", "rootless", "cgroup-manager"};
  for (const std::string& flag : g.runtime_flags) {
    std::string_view name = flag;
    while (name.starts_with('-')) name.remove_prefix(1);
    name = name.substr(0, name.find('='));
    if (std::find(std::begin(kKnown), std::end(kKnown), name) != std::end(kKnown)) continue;
    throw runner::ExecError(
        kExitNotExecutable,
        "OCI runtime error: dabba: flag provided but not defined: --" + std::string(name) +
            " (--runtime-flag " + flag +
            "; dabba is its own runtime and takes runc's and crun's global flags only)");
  }
}

}  // namespace dabba::cli
