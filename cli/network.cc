// dabba network create|ls|inspect|rm|prune|exists: podman's network group over the network configs
// in the store root (store/networks.h), in podman's on-disk format. Output and exit codes as
// podman 4.3's: create prints the name; ls a NETWORK ID / NAME / DRIVER table (ids cut to 12);
// inspect a JSON array (5-space indent, podman's); `rm` 1 for no such network, 125 for the
// default one; `exists` 0/1.
//
// A network some container is on (created or running) is in use: rm refuses it (exit 2, podman's
// words) unless -f, which removes those containers first; prune skips it.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <regex>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/confirm.h"
#include "cli/container_names.h"
#include "cli/container_info.h"
#include "cli/container_removal.h"
#include "cli/containers.h"
#include "cli/format_template.h"
#include "cli/key_values.h"
#include "cli/object_group.h"
#include "common/error.h"
#include "store/networks.h"
#include "store/store.h"

namespace dabba::cli {
namespace {

// The ids of the containers on network name (the store closed again before any removal).
std::vector<std::string> containers_on(const std::string& root, const std::string& name) {
  return containers_on_network(Store::open(root), name);
}

// The fields podman's templates name (its Go struct types.Network).
TemplateData network_fields(const Network& n) {
  TemplateData subnets = TemplateData::array();
  for (const NetworkSubnet& s : n.subnets)
    subnets.push_back({{"Subnet", s.subnet}, {"Gateway", s.gateway}});
  return {{"Name", n.name},
          {"ID", n.id},
          {"Driver", n.driver},
          {"NetworkInterface", n.interface},
          {"Created", n.created},
          {"Subnets", subnets},
          {"IPv6Enabled", n.ipv6_enabled},
          {"Internal", n.internal},
          {"DNSEnabled", n.dns_enabled},
          {"Labels", n.labels},
          {"Options", n.options},
          {"IPAMOptions", {{"driver", "host-local"}}}};
}

std::string json_array(const std::vector<Network>& networks, int indent) {
  std::string out = "[";
  for (size_t i = 0; i < networks.size(); ++i) {
    std::string one = encode_network(networks[i], indent);
    // Each object one level in, as Go's MarshalIndent of the array writes it.
    std::string shifted = "\n" + std::string(static_cast<size_t>(indent), ' ');
    for (char c : one) {
      shifted += c;
      if (c == '\n') shifted += std::string(static_cast<size_t>(indent), ' ');
    }
    out += shifted + (i + 1 < networks.size() ? "," : "");
  }
  return out + (networks.empty() ? "]" : "\n]");
}

Network find_or_throw(const std::string& root, const std::string& name) {
  std::optional<Network> n = find_network(root, name);
  if (!n)
    throw Error(Errc::kNotFound,
                "unable to find network with name or ID " + name + ": network not found");
  return *n;
}

// ls and prune --filter: name= (a regular expression, as podman's), id= (a prefix), driver=,
// label=KEY[=VALUE], label!=.
class NetworkFilter {
 public:
  explicit NetworkFilter(const std::vector<std::string>& filters) {
    for (const std::string& f : filters) {
      const size_t eq = f.find('=');
      const std::string key = f.substr(0, eq);
      if (eq == std::string::npos ||
          (key != "name" && key != "id" && key != "driver" && key != "label" && key != "label!"))
        throw Error(Errc::kInvalidArgument, "invalid filter \"" + f + "\"", 0,
                    "network filters: name=, id=, driver=, label=KEY[=VALUE], label!=KEY[=VALUE]");
      filters_.emplace_back(key, f.substr(eq + 1));
    }
  }
  bool match(const Network& n) const {
    for (const auto& [key, value] : filters_) {
      if (key == "name" && !std::regex_search(n.name, std::regex(value))) return false;
      if (key == "id" && n.id.rfind(value, 0) != 0) return false;
      if (key == "driver" && n.driver != value) return false;
      if (key == "label" || key == "label!") {
        const size_t eq = value.find('=');
        auto it = n.labels.find(value.substr(0, eq));
        const bool has = it != n.labels.end() &&
                         (eq == std::string::npos || it->second == value.substr(eq + 1));
        if (has != (key == "label")) return false;
      }
    }
    return true;
  }

 private:
  std::vector<std::pair<std::string, std::string>> filters_;
};

Command add_network_create(CLI::App& parent) {
  struct Args {
    std::string driver, subnet, gateway, ip_range;
    bool internal = false, disable_dns = false, ipv6 = false, ignore = false;
    std::vector<std::string> labels, options;
    std::string name;
  };
  auto args = std::make_shared<Args>();
  Command cmd = podman_verb(parent, "create", "Create a network", Needs::kNothing);
  cmd.app->add_option("-d,--driver", args->driver, "bridge (the only driver)");
  cmd.app->add_option("--subnet", args->subnet, "IPv4 subnet (default: the first free 10.89.N.0/24)");
  cmd.app->add_option("--gateway", args->gateway, "gateway address (default: the subnet's first)");
  cmd.app->add_option("--ip-range", args->ip_range, "refused (not supported yet)");
  cmd.app->add_flag("--internal", args->internal, "no way out of the network");
  cmd.app->add_flag("--disable-dns", args->disable_dns, "no name resolution on the network");
  cmd.app->add_flag("--ipv6", args->ipv6, "refused (IPv4 only for now)");
  cmd.app->add_flag("--ignore", args->ignore, "an existing network of that name is no error");
  repeatable(cmd.app->add_option("--label", args->labels, "KEY=VALUE label"));
  repeatable(cmd.app->add_option("-o,--opt", args->options, "KEY=VALUE driver option (kept)"));
  cmd.app->add_option("name", args->name, "network name (default: podmanN)");
  cmd.run = [args](const Globals& globals) {
    if (!args->ip_range.empty())
      throw Error(Errc::kUnsupported, "--ip-range is not supported yet", 0,
                  "give a --subnet of the size you want instead");
    NetworkRequest r;
    r.name = args->name;
    if (r.name.empty()) {  // podman names it after the first free interface
      const std::vector<Network> all = list_networks(globals.root());
      for (unsigned i = 1; r.name.empty(); ++i) {
        const std::string candidate = "podman" + std::to_string(i);
        if (std::none_of(all.begin(), all.end(),
                         [&](const Network& n) { return n.name == candidate; }))
          r.name = candidate;
      }
    }
    r.id = new_container_id();
    r.driver = args->driver;
    r.subnet = args->subnet;
    r.gateway = args->gateway;
    r.internal = args->internal;
    r.dns_enabled = !args->disable_dns;
    r.ipv6 = args->ipv6;
    r.labels = key_values(args->labels, "label");
    r.options = key_values(args->options, "network option");
    return create_named(r.name, args->ignore, [&] { create_network(globals.root(), r); });
  };
  return cmd;
}

// What inspect and rm act on: one network or more, by name or id.
void add_network_operands(CLI::App& app, std::vector<std::string>& names) {
  app.add_option("network", names, "network names or ids")->required();
}

// network ls: the fields its templates name, with their column headers.
const std::map<std::string, std::string> kLsHeaders = {
    {"ID", "NETWORK ID"},
    {"Name", "NAME"},
    {"Driver", "DRIVER"},
    {"Labels", "LABELS"},
    {"NetworkInterface", "NETWORK INTERFACE"},
    {"Created", "CREATED"},
    {"Subnets", "SUBNETS"},
    {"Internal", "INTERNAL"},
    {"DNSEnabled", "DNS"},
    {"IPv6Enabled", "IPV6"},
};

Command add_network_ls(CLI::App& parent) {
  struct Args {
    ListFlags list;
    bool no_trunc = false;
  };
  auto args = std::make_shared<Args>();
  Command cmd = add_ls_verb(parent, "List networks", args->list,
                            "name=, id=, driver=, label=KEY[=VALUE], label!=");
  cmd.app->add_flag("--no-trunc", args->no_trunc, "full ids");
  cmd.run = [args](const Globals& globals) {
    const ListFlags& flags = args->list;
    const NetworkFilter filter(flags.filters);
    std::vector<Network> shown;
    for (const Network& n : list_networks(globals.root()))
      if (filter.match(n)) shown.push_back(n);
    if (flags.quiet) {
      for (const Network& n : shown) std::printf("%s\n", n.name.c_str());
      return kExitOk;
    }
    if (is_json_format(flags.format)) {
      std::printf("%s\n", json_array(shown, 2).c_str());
      return kExitOk;
    }
    std::vector<TemplateData> rows;
    for (const Network& n : shown) {
      TemplateData row = network_fields(n);
      if (!args->no_trunc) row["ID"] = n.id.substr(0, 12);
      rows.push_back(std::move(row));
    }
    print_list(flags, rows, "table {{.ID}}\t{{.Name}}\t{{.Driver}}", kLsHeaders);
    return kExitOk;
  };
  return cmd;
}

Command add_network_inspect(CLI::App& parent) {
  auto args = std::make_shared<InspectFlags>();
  Command cmd = add_inspect_verb(parent, "Show networks as JSON", *args);
  add_network_operands(*cmd.app, args->names);
  cmd.run = [args](const Globals& globals) {
    const Lookup<Network> asked = look_up<Network>(
        args->names, [&](const std::string& name) { return find_network(globals.root(), name); });
    std::vector<TemplateData> rows;
    for (const Network& n : asked.found) rows.push_back(network_fields(n));
    return print_inspect(
        args->format, [&] { return json_array(asked.found, 5); }, rows, asked.missing,
        [](const std::string& name) {
          return Error(Errc::kNotFound, "inspecting object: network " + name +
                                            ": unable to find network with name or ID " + name +
                                            ": network not found");
        });
  };
  return cmd;
}

Command add_network_rm(CLI::App& parent) {
  auto flags = std::make_shared<RemoveFlags>();
  Command cmd = add_rm_verb(parent, "Remove networks", *flags);
  add_network_operands(*cmd.app, flags->names);
  cmd.run = [flags](const Globals& globals) {
    // 1 for no such network, 2 for one in use, 125 for the default one (kInvalidArgument).
    return remove_each(
        flags->names,
        [&](const std::string& typed) {
          const std::string name = find_or_throw(globals.root(), typed).name;
          const std::vector<std::string> users = containers_on(globals.root(), name);
          if (!users.empty() && !flags->force)
            throw Error(Errc::kConflict, "\"" + typed +
                                             "\" has associated containers with it. Use -f to "
                                             "forcibly delete containers and pods: network is "
                                             "being used");
          if (!users.empty()) {
            ContainerRemoval how;
            how.force = true;
            how.ignore_missing = true;
            if (!flags->time.empty()) {
              if (flags->time.find_first_not_of("0123456789") != std::string::npos ||
                  flags->time.size() > 6)
                throw Error(Errc::kInvalidArgument, "invalid argument \"" + flags->time +
                                                        "\" for \"-t, --time\" flag");
              how.stop_seconds = std::stoi(flags->time);
            }
            std::optional<Error> failed;
            how.on_error = [&](const std::string&, const Error& e) { failed = e; };
            remove_containers(globals.root(), users, how);
            if (failed) throw *failed;
          }
          remove_network(globals.root(), name);
        },
        flags->force);  // podman: rm -f of a missing network is no error
  };
  return cmd;
}

Command add_network_prune(CLI::App& parent) {
  auto flags = std::make_shared<PruneFlags>();
  Command cmd = add_prune_verb(parent, "Remove every network no container uses", Needs::kNothing,
                               *flags, "label=, label!= (as network ls)");
  cmd.run = [flags](const Globals& globals) {
    const NetworkFilter filter(flags->filters);
    if (!flags->force &&
        !confirm("WARNING! This will remove all networks not used by at least one container."))
      return kExitOk;
    std::vector<std::string> names;
    for (const Network& n : list_networks(globals.root()))
      if (n.name != kDefaultNetworkName && filter.match(n) &&
          containers_on(globals.root(), n.name).empty())
        names.push_back(n.name);
    prune_each(names, [&](const std::string& name) { remove_network(globals.root(), name); });
    return kExitOk;
  };
  return cmd;
}

Command add_network_exists(CLI::App& parent) {
  auto name = std::make_shared<std::string>();
  Command cmd = podman_verb(parent, "exists", "Exit 0 if a network exists, 1 if not",
                            Needs::kNothing);
  cmd.app->add_option("network", *name, "network name or id")->required();
  cmd.run = [name](const Globals& globals) {
    return find_network(globals.root(), *name) ? kExitOk : kExitFailure;
  };
  return cmd;
}

}  // namespace

std::vector<Command> add_network_group(CLI::App& parent) {
  CLI::App& network = add_group(parent, "network", "Manage networks (network create, ls, ...)");
  std::vector<Command> verbs = {add_network_create(network), add_network_ls(network),
                                add_network_inspect(network), add_network_rm(network),
                                add_network_prune(network),   add_network_exists(network)};
  for (Command& c : add_network_connections(network)) verbs.push_back(std::move(c));
  return verbs;
}

}  // namespace dabba::cli
