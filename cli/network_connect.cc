// dabba network connect|disconnect NETWORK CONTAINER: podman's verbs for a container already on
// networks of `network create` (created or running). The change is kept in the container's record
// (inspect, ps) and its saved Spec (every later start joins the networks it lists); a running
// container gets it at once: netavark setup (or teardown) of that one network on its PID 1's
// network namespace, in the user's networks' namespace. Its /etc/hosts and /etc/resolv.conf are
// rewritten at once. `network reload CONTAINER` sets a running container's networks up again.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/container_info.h"
#include "cli/container_targets.h"
#include "cli/containers.h"
#include "cli/network_attachment.h"
#include "common/error.h"
#include "runner/etc_files.h"
#include "runner/net/bridge_attach.h"
#include "runner/net/netavark.h"
#include "runner/net/netns_holder.h"
#include "runner/net/network_parse.h"
#include "runner/spec_codec.h"
#include "runner/state.h"
#include "store/networks.h"
#include "store/store.h"

namespace dabba::cli {
namespace {

struct Target {
  ContainerView view;
  runner::Spec spec;
  Network network;
};

Target find_target(const Store& store, const std::string& network, const std::string& container) {
  std::optional<Network> n = find_network(store.root(), network);
  if (!n)
    throw Error(Errc::kNotFound,
                "unable to find network with name or ID " + network + ": network not found");
  ContainerView view = view_container(store, find_container(store, container));
  runner::Spec spec = runner::load_spec(view.dir);
  if (spec.network.mode != runner::NetworkMode::kBridge)
    throw Error(Errc::kUnsupported,
                "container " + view.record.name +
                    " is not on a network of `network create` "
                    "(--network " +
                    view.info.network + "): it cannot join or leave one",
                0, "create it with --network NAME to connect it to others");
  return {std::move(view), std::move(spec), *n};
}

// netavark on the running container's namespace, for that one network.
void apply(const Target& t, const runner::NetworkAttachment& a, const char* verb) {
  if (!t.view.running) return;
  const pid_t holder = runner::running_netns_holder();
  if (holder < 0)
    throw Error(Errc::kFailed,
                "the networks' namespace of running container " + t.view.record.name + " is gone");
  FileLock lock = runner::lock_network_setup();
  runner::run_netavark(holder, verb, "/proc/" + std::to_string(t.view.state->pid) + "/ns/net",
                       runner::netavark_options(t.view.record.id, t.view.record.name, {a}),
                       runner::log_dir(t.view.dir) + "/netavark.log");
}

void save(Store& store, Target& t) {
  t.view.info.networks.clear();
  for (const auto& a : t.spec.network.networks)
    t.view.info.networks.push_back({a.name, a.ip, a.gateway, a.prefix, a.aliases, a.mac});
  // Its /etc/hosts and resolv.conf follow, at once for a running container, as podman's.
  const runner::EtcFiles etc = runner::default_etc_files(t.spec.hostname, t.spec.network);
  t.spec.etc.hosts = etc.hosts;
  t.spec.etc.resolv_conf = etc.resolv_conf;
  runner::rewrite_network_etc_files(t.view.dir, etc);
  runner::save_spec(t.spec, /*durable=*/true);
  store.update_container(t.view.record.id, encode_container_info(t.view.info));
}

Command add_network_connect(CLI::App& parent) {
  struct Args {
    std::vector<std::string> aliases;
    std::string ip;
    std::string network, container;
  };
  auto args = std::make_shared<Args>();
  Command cmd =
      podman_verb(parent, "connect", "Connect a container to a network", Needs::kUserNamespace);
  repeatable(cmd.app->add_option("--alias", args->aliases, "another name on that network"));
  cmd.app->add_option("--ip", args->ip, "its IPv4 address on that network");
  cmd.app->add_option("network", args->network, "the network")->required();
  cmd.app->add_option("container", args->container, "the container")->required();
  cmd.run = [args](const Globals& globals) {
    Store store = Store::open(globals.root());
    Target t = find_target(store, args->network, args->container);
    for (const auto& on : t.spec.network.networks)
      if (on.name == t.network.name)
        throw Error(Errc::kAlreadyExists, "container " + t.view.record.id +
                                              " is already connected to network " + on.name +
                                              ": network is already connected");
    runner::NetworkAttachment a;
    describe_attachment(t.network, a);
    a.interface = "eth" + std::to_string(t.spec.network.networks.size());
    a.aliases = args->aliases;
    a.mac = runner::random_mac_address();
    a.ip = lease_address(store.root(), t.network, t.view.record.id, args->ip,
                         [&](const std::string& id) { return store.container(id).has_value(); });
    try {
      apply(t, a, "setup");
    } catch (...) {
      release_addresses(store.root(), t.view.record.id, t.network.name);
      throw;
    }
    t.spec.network.networks.push_back(a);
    save(store, t);
    return kExitOk;
  };
  return cmd;
}

Command add_network_disconnect(CLI::App& parent) {
  struct Args {
    bool force = false;
    std::string network, container;
  };
  auto args = std::make_shared<Args>();
  Command cmd = podman_verb(parent, "disconnect", "Disconnect a container from a network",
                            Needs::kUserNamespace);
  cmd.app->add_flag("-f,--force", args->force, "accepted (as podman: no effect)");
  cmd.app->add_option("network", args->network, "the network")->required();
  cmd.app->add_option("container", args->container, "the container")->required();
  cmd.run = [args](const Globals& globals) {
    Store store = Store::open(globals.root());
    Target t = find_target(store, args->network, args->container);
    auto& on = t.spec.network.networks;
    auto it = std::find_if(on.begin(), on.end(), [&](const runner::NetworkAttachment& a) {
      return a.name == t.network.name;
    });
    if (it == on.end())
      throw Error(Errc::kNotFound, "container " + t.view.record.id +
                                       " is not connected to network " + t.network.name +
                                       ": network is not connected");
    // Its last network too, as podman: the container keeps only its loopback (and the network
    // mode it was created with, for its next start).
    apply(t, *it, "teardown");
    on.erase(it);
    release_addresses(store.root(), t.view.record.id, t.network.name);
    save(store, t);
    return kExitOk;
  };
  return cmd;
}

// podman's `network reload`: the running containers' networks set up again (its firewall rules
// and routes made anew), each keeping its addresses and MAC; the ids printed. A container on no
// network of `network create` (slirp4netns, pasta, host, none) has nothing to reload.
Command add_network_reload(CLI::App& parent) {
  auto flags = std::make_shared<TargetFlags>();
  Command cmd = podman_verb(parent, "reload", "Reload the networks of running containers",
                            Needs::kUserNamespace);
  add_target_flags(*cmd.app, *flags, /*with_ignore=*/false);
  cmd.run = [flags](const Globals& globals) {
    Store store = Store::open(globals.root());
    int rc = kExitOk;
    for (const std::string& name : resolve_targets(store, *flags)) {
      try {
        ContainerView view = view_container(store, find_container(store, name));
        if (!view.running) {
          if (flags->all) continue;
          throw Error(Errc::kFailed, "container " + view.record.id +
                                         ": cannot reload network unless container network has "
                                         "been configured: container state improper");
        }
        const runner::Spec spec = runner::load_spec(view.dir);
        if (spec.network.mode == runner::NetworkMode::kBridge) {
          Target t{std::move(view), spec, {}};
          for (const runner::NetworkAttachment& a : spec.network.networks) {
            apply(t, a, "teardown");
            apply(t, a, "setup");
          }
          view = std::move(t.view);
        }
        std::printf("%s\n", view.record.id.c_str());
      } catch (const Error& e) {
        report_error(e);
        rc = kExitDabbaFailed;
      }
    }
    return rc;
  };
  return cmd;
}

}  // namespace

std::vector<Command> add_network_connections(CLI::App& network) {
  return {add_network_connect(network), add_network_disconnect(network),
          add_network_reload(network)};
}

}  // namespace dabba::cli
