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
    try {
      create_network(globals.root(), r);
    } catch (const Error& e) {
      if (!(args->ignore && e.code() == Errc::kAlreadyExists)) throw;
    }
    std::printf("%s\n", r.name.c_str());
    return kExitOk;
  };
  return cmd;
}

Command add_network_ls(CLI::App& parent) {
  struct Args {
    bool quiet = false, noheading = false, no_trunc = false;
    std::string format;
    std::vector<std::string> filters;
  };
  auto args = std::make_shared<Args>();
  Command cmd = podman_verb(parent, "ls", "List networks", Needs::kNothing);
  cmd.app->alias("list");
  cmd.app->add_flag("-q,--quiet", args->quiet, "names only");
  cmd.app->add_flag("-n,--noheading", args->noheading, "no header row");
  cmd.app->add_flag("--no-trunc", args->no_trunc, "full ids");
  cmd.app->add_option("--format", args->format, "table, json or a Go template");
  repeatable(cmd.app->add_option("-f,--filter", args->filters,
                                 "name=, id=, driver=, label=KEY[=VALUE], label!="));
  cmd.run = [args](const Globals& globals) {
    const NetworkFilter filter(args->filters);
    std::vector<Network> shown;
    for (const Network& n : list_networks(globals.root()))
      if (filter.match(n)) shown.push_back(n);
    if (args->quiet) {
      for (const Network& n : shown) std::printf("%s\n", n.name.c_str());
      return kExitOk;
    }
    if (is_json_format(args->format)) {
      std::printf("%s\n", json_array(shown, 2).c_str());
      return kExitOk;
    }
    std::vector<TemplateData> rows;
    for (const Network& n : shown) {
      TemplateData row = network_fields(n);
      if (!args->no_trunc) row["ID"] = n.id.substr(0, 12);
      rows.push_back(std::move(row));
    }
    ListFormat list(args->format, "table {{.ID}}\t{{.Name}}\t{{.Driver}}",
                    {{"ID", "NETWORK ID"}, {"Name", "NAME"}, {"Driver", "DRIVER"},
                     {"Labels", "LABELS"}, {"NetworkInterface", "NETWORK INTERFACE"},
                     {"Created", "CREATED"}, {"Subnets", "SUBNETS"}, {"Internal", "INTERNAL"},
                     {"DNSEnabled", "DNS"}, {"IPv6Enabled", "IPV6"}});
    std::fputs(list.render(rows, !args->noheading).c_str(), stdout);
    return kExitOk;
  };
  return cmd;
}

Command add_network_inspect(CLI::App& parent) {
  struct Args {
    std::string format;
    std::vector<std::string> names;
  };
  auto args = std::make_shared<Args>();
  Command cmd = podman_verb(parent, "inspect", "Show networks as JSON", Needs::kNothing);
  cmd.app->add_option("-f,--format", args->format, "json (default) or a Go template");
  cmd.app->add_option("network", args->names, "network names or ids")->required();
  cmd.run = [args](const Globals& globals) {
    std::vector<Network> found;
    std::vector<std::string> missing;
    for (const std::string& name : args->names) {
      if (std::optional<Network> n = find_network(globals.root(), name))
        found.push_back(*n);
      else
        missing.push_back(name);
    }
    if (args->format.empty() || is_json_format(args->format)) {
      std::printf("%s\n", json_array(found, 5).c_str());
    } else {
      std::vector<TemplateData> rows;
      for (const Network& n : found) rows.push_back(network_fields(n));
      std::fputs(ListFormat(args->format, "", {}).render(rows).c_str(), stdout);
    }
    for (const std::string& name : missing)
      report_error(Error(Errc::kNotFound, "inspecting object: network " + name +
                                              ": unable to find network with name or ID " +
                                              name + ": network not found"));
    return missing.empty() ? kExitOk : kExitDabbaFailed;
  };
  return cmd;
}

Command add_network_rm(CLI::App& parent) {
  struct Args {
    bool force = false;
    std::string time;
    std::vector<std::string> names;
  };
  auto args = std::make_shared<Args>();
  Command cmd = podman_verb(parent, "rm", "Remove networks", Needs::kNothing);
  cmd.app->alias("remove");
  cmd.app->add_flag("-f,--force", args->force, "remove the containers using them first");
  cmd.app->add_option("-t,--time", args->time, "seconds before a container is killed (accepted)");
  cmd.app->add_option("network", args->names, "network names or ids")->required();
  cmd.run = [args](const Globals& globals) {
    int exit = kExitOk;
    for (const std::string& typed : args->names) {
      try {
        const std::string name = find_or_throw(globals.root(), typed).name;
        const std::vector<std::string> users = containers_on(globals.root(), name);
        if (!users.empty() && !args->force)
          throw Error(Errc::kConflict, "\"" + typed +
                                           "\" has associated containers with it. Use -f to "
                                           "forcibly delete containers and pods: network is being "
                                           "used");
        if (!users.empty()) {
          ContainerRemoval how;
          how.force = true;
          how.ignore_missing = true;
          if (!args->time.empty()) how.stop_seconds = std::stoi(args->time);
          std::optional<Error> failed;
          how.on_error = [&](const std::string&, const Error& e) { failed = e; };
          remove_containers(globals.root(), users, how);
          if (failed) throw *failed;
        }
        remove_network(globals.root(), name);
        std::printf("%s\n", typed.c_str());
      } catch (const Error& e) {
        report_error(e);
        const int code = e.code() == Errc::kNotFound   ? kExitFailure
                         : e.code() == Errc::kConflict ? 2
                                                       : kExitDabbaFailed;
        if (exit == kExitOk || code == kExitDabbaFailed) exit = code;
      }
    }
    return exit;
  };
  return cmd;
}

Command add_network_prune(CLI::App& parent) {
  struct Args {
    bool force = false;
    std::vector<std::string> filters;
  };
  auto args = std::make_shared<Args>();
  Command cmd = podman_verb(parent, "prune", "Remove every network no container uses",
                            Needs::kNothing);
  cmd.app->add_flag("-f,--force", args->force, "do not ask");
  repeatable(cmd.app->add_option("--filter", args->filters, "label=, label!= (as network ls)"));
  cmd.run = [args](const Globals& globals) {
    const NetworkFilter filter(args->filters);
    if (!args->force &&
        !confirm("WARNING! This will remove all networks not used by at least one container."))
      return kExitOk;
    for (const Network& n : list_networks(globals.root())) {
      if (n.name == kDefaultNetworkName || !filter.match(n) ||
          !containers_on(globals.root(), n.name).empty())
        continue;
      try {
        remove_network(globals.root(), n.name);
        std::printf("%s\n", n.name.c_str());
      } catch (const Error& e) {
        if (e.code() != Errc::kNotFound) throw;  // another prune was quicker
      }
    }
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
