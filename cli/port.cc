// dabba port [-a] [-l] [CONTAINER [PRIVATE_PORT[/PROTO]]]
//
// podman-port(1): the ports a running container published, as its runner recorded them at the
// start (host ports picked for -p 80 or -P included), one "80/tcp -> 127.0.0.1:8080" per port;
// with PRIVATE_PORT, only the host side of that one ("127.0.0.1:8080"), and podman's "failed to
// find published port" when it was not published; -a: every running container's, each line
// after its short id and a tab. A container that is not running has none (no output, as podman).
// Reads only: no user namespace.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <optional>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/container_targets.h"
#include "cli/containers.h"
#include "common/error.h"
#include "runner/net/port_publish.h"
#include "store/store.h"

namespace dabba::cli {
namespace {

std::string host_side(const runner::PortMapping& p) {
  return (p.host_ip.empty() ? std::string("0.0.0.0") : p.host_ip) + ":" +
         std::to_string(p.host_port);
}

std::string port_line(const runner::PortMapping& p) {
  return std::to_string(p.container_port) + "/" + runner::port_protocol_name(p.protocol) + " -> " +
         host_side(p);
}

std::vector<runner::PortMapping> running_ports(const ContainerView& v) {
  if (!v.running) return {};
  try {
    return runner::read_published_ports(v.dir);
  } catch (const Error&) {
    return {};  // a torn or unreadable record: nothing to show, as ps does
  }
}

// "80", "80/tcp", "53/udp": the port and protocol asked for.
runner::PortMapping parse_private_port(const std::string& text) {
  runner::PortMapping want;
  std::string number = text;
  if (auto slash = text.find('/'); slash != std::string::npos) {
    const std::string proto = text.substr(slash + 1);
    if (proto == "udp")
      want.protocol = runner::PortProtocol::kUdp;
    else if (proto != "tcp")
      throw Error(Errc::kInvalidArgument, "unknown protocol \"" + proto + "\" in \"" + text + "\"",
                  0, "the protocol is tcp or udp");
    number = text.substr(0, slash);
  }
  unsigned long port = 0;
  size_t used = 0;
  try {
    port = std::stoul(number, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != number.size() || port == 0 || port > 65535)
    throw Error(Errc::kInvalidArgument, "invalid port \"" + text + "\"", 0,
                "give a container port, 1-65535, optionally /tcp or /udp");
  want.container_port = static_cast<uint16_t>(port);
  return want;
}

}  // namespace

Command add_port(CLI::App& parent) {
  struct Args {
    bool all = false;
    bool latest = false;
    std::vector<std::string> args;  // CONTAINER [PRIVATE_PORT] (-a: none)
  };
  auto args = std::make_shared<Args>();
  Command cmd =
      podman_verb(parent, "port", "List port mappings or a specific mapping for the container",
                  Needs::kNothing);
  cmd.app->add_flag("-a,--all", args->all, "every running container");
  cmd.app->add_flag("-l,--latest", args->latest, "the newest container");
  cmd.app->add_option("args", args->args, "CONTAINER [PRIVATE_PORT[/PROTO]]");
  cmd.run = [args](const Globals& globals) {
    const std::vector<std::string>& a = args->args;
    const size_t named = args->latest ? 0 : 1;  // positionals that name the container
    if (args->all && !a.empty())
      throw Error(Errc::kInvalidArgument, "no arguments are needed with --all");
    if (args->all && args->latest)
      throw Error(Errc::kInvalidArgument, "--all and --latest cannot be used together");
    if (!args->all && a.size() < named)
      throw Error(Errc::kInvalidArgument, "you must supply a running container name or id");
    if (!args->all && a.size() > named + 1)
      throw Error(Errc::kInvalidArgument, "too many arguments", 0,
                  "dabba port CONTAINER [PRIVATE_PORT[/PROTO]]");
    Store store = Store::open(globals.root());
    if (args->all) {
      for (const ContainerRecord& r : store.list_containers()) {
        const ContainerView v = view_container(store, r);
        for (const auto& p : running_ports(v))
          std::printf("%s\t%s\n", short_container_id(r.id).c_str(), port_line(p).c_str());
      }
      return kExitOk;
    }
    const ContainerRecord record =
        args->latest ? latest_container(store) : find_container(store, a[0]);
    const ContainerView view = view_container(store, record);
    const std::vector<runner::PortMapping> ports = running_ports(view);
    if (a.size() == named) {
      for (const auto& p : ports) std::printf("%s\n", port_line(p).c_str());
      return kExitOk;
    }
    const runner::PortMapping want = parse_private_port(a[named]);
    if (!view.running) return kExitOk;  // nothing, as podman
    bool found = false;
    for (const auto& p : ports)
      if (p.container_port == want.container_port && p.protocol == want.protocol) {
        std::printf("%s\n", host_side(p).c_str());
        found = true;
      }
    if (!found) throw Error(Errc::kNotFound, "failed to find published port \"" + a[named] + "\"");
    return kExitOk;
  };
  return cmd;
}

}  // namespace dabba::cli
