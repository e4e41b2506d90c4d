// dabba start [-a] [-i] [--all] [-l] CONTAINER...
//
// podman-start(1): starts created or exited containers from the Spec `create` (or `run`) saved,
// detached, each owned by its supervisor as after `run -d`, and prints each name as typed (a
// container already running is left as it is, without a word, as podman 4 does). Every name is
// looked up before any starts: a missing one is podman's "no such container", exit 125, and
// nothing started. -a attaches this process to the one container's output (and with -i its
// stdin) as a foreground `run` does, and returns the container's exit code; a container that
// already runs is attached to through its owner (cli/container_attach.h), as `attach` does.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/container_attach.h"
#include "cli/container_start.h"
#include "cli/container_targets.h"
#include "cli/containers.h"
#include "cli/global_flags.h"
#include "common/error.h"
#include "runner/detach_keys.h"
#include "runner/restart_policy.h"
#include "runner/spec_codec.h"
#include "runner/state.h"
#include "store/store.h"

namespace dabba::cli {
namespace {

struct StartFlags {
  bool attach = false;
  bool interactive = false;
  bool sig_proxy = true;
  std::string detach_keys = runner::kDefaultDetachKeys;
  std::vector<std::string> filters;  // --filter: ps's keys, and restart-policy=
  TargetFlags targets;
};

// start --filter: ps's keys (ps_filters.h) and podman's restart-policy=POLICY (none is no
// policy), all of them to match.
class StartFilter {
 public:
  explicit StartFilter(const std::vector<std::string>& filters) {
    std::vector<std::string> ps;
    for (const std::string& f : filters) {
      if (f.rfind("restart-policy=", 0) != 0) {
        ps.push_back(f);
        continue;
      }
      const std::string given = f.substr(f.find('=') + 1);
      const std::string policy = given == "none" ? "no" : given;
      if (policy != "no" && policy != "always" && policy != "on-failure" &&
          policy != "unless-stopped")
        throw Error(Errc::kInvalidArgument, given + " invalid restart policy");
      policies_.push_back(policy);
    }
    ps_.emplace(ps);
  }
  bool matches(const ContainerView& v, const PsRow& row, const std::vector<PsRow>& all) const {
    if (!policies_.empty()) {
      std::string name =
          v.info.restart.empty()
              ? std::string()
              : runner::restart_policy_name(runner::parse_restart_policy(v.info.restart));
      if (name.empty()) name = "no";
      if (std::find(policies_.begin(), policies_.end(), name) == policies_.end()) return false;
    }
    return ps_->matches(row, all);
  }

 private:
  std::vector<std::string> policies_;
  std::optional<PsFilters> ps_;
};

// -a: this process owns the container, as a foreground run; the container's exit code.
int start_attached_one(Store& store, const ContainerView& v, bool interactive) {
  runner::Spec spec = runner::load_spec(v.dir);
  spec.stdin_open = interactive;  // podman: stdin only with start -i, whatever create said
  spec.attach_stdout = spec.attach_stderr = true;
  return start_attached(store, spec, v.info.auto_remove);
}

int start_containers(const Globals& globals, const StartFlags& f) {
  if (f.targets.all && !f.targets.names.empty())  // podman start's own words for it
    throw Error(Errc::kInvalidArgument,
                "either start all containers or the container(s) provided in the arguments");
  check_runtime_flags(globals);
  Store store = Store::open(globals.root());
  const std::vector<std::string> names = resolve_targets(store, f.targets);
  if (f.attach && names.size() > 1)
    throw Error(Errc::kInvalidArgument, "you cannot start and attach multiple containers at once");
  struct Target {
    std::string typed;
    ContainerView view;
  };
  std::vector<Target> targets;
  for (const std::string& n : names)
    targets.push_back({n, view_container(store, find_container(store, n))});
  if (!f.filters.empty()) {
    const StartFilter filter(f.filters);
    const int64_t now = unix_now();
    std::vector<PsRow> rows;
    for (const ContainerRecord& r : store.list_containers())
      rows.push_back(ps_row(view_container(store, r), now));
    std::erase_if(targets, [&](const Target& t) {
      return !filter.matches(t.view, ps_row(t.view, now), rows);
    });
  }

  if (f.attach) {
    const ContainerView& v = targets.front().view;
    runner::parse_detach_keys(f.detach_keys);  // podman's words, before anything is done
    if (v.running) {
      // As podman 4.3: its stdin goes in when the container has -i, with or without start's -i.
      AttachFlags attach;
      attach.detach_keys = f.detach_keys;
      attach.sig_proxy = f.sig_proxy;
      return attach_running(v, attach);
    }
    return with_container_exit_codes([&] { return start_attached_one(store, v, f.interactive); });
  }
  int rc = kExitOk;
  for (const Target& t : targets) {
    // Running, or about to run again by its --restart policy (its supervisor waits out the delay).
    if (t.view.running || (t.view.state && runner::supervisor_alive(t.view.dir, *t.view.state)))
      continue;
    if (!act_and_print(t.typed, [&] { start_saved(store, t.view); })) rc = kExitDabbaFailed;
  }
  return rc;
}

}  // namespace

Command add_start(CLI::App& parent) {
  auto args = std::make_shared<StartFlags>();
  Command cmd = podman_verb(parent, "start", "Start one or more containers", Needs::kUserNamespace);
  cmd.app->add_flag("-a,--attach", args->attach,
                    "attach to the container's output and return its exit code");
  cmd.app->add_flag("-i,--interactive", args->interactive, "with -a: attach stdin too");
  cmd.app->add_flag("--all", args->targets.all, "every container");
  cmd.app->add_flag("-l,--latest", args->targets.latest, "the newest container");
  cmd.app->add_flag("--sig-proxy", args->sig_proxy,
                    "with -a: forward signals to the container (default true)");
  cmd.app->add_option("--detach-keys", args->detach_keys,
                      "with -a of a running container: keys that detach (default ctrl-p,ctrl-q)");
  repeatable(cmd.app->add_option("-f,--filter", args->filters,
                                 "start only those matching: ps's filters, restart-policy="));
  cmd.app->add_option("container", args->targets.names, "container names or ids");
  cmd.run = [args](const Globals& globals) { return start_containers(globals, *args); };
  return cmd;
}

}  // namespace dabba::cli
