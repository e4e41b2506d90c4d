// Every verb of dabba, in the order `dabba --help` lists them.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "cli/command.h"

namespace dabba {
class Store;
}

namespace dabba::cli {

std::vector<Command> register_commands(CLI::App& app);

// `NAME <verb>`: a group of verbs under parent (image, container, volume, system); one is required.
CLI::App& add_group(CLI::App& parent, const std::string& name, const std::string& description);

// Image verbs (one file each). Those with a name parameter are also `image <verb>` under
// another name (images -> image ls, rmi -> image rm).
Command add_pull(CLI::App& parent);
Command add_push(CLI::App& parent);
Command add_images(CLI::App& parent, const std::string& name = "images");
Command add_rmi(CLI::App& parent, const std::string& name = "rmi");
Command add_load(CLI::App& parent);
Command add_save(CLI::App& parent);
Command add_import(CLI::App& parent);
Command add_tag(CLI::App& parent);
Command add_untag(CLI::App& parent);
Command add_history(CLI::App& parent);
Command add_inspect(CLI::App& parent);        // containers or images
Command add_image_inspect(CLI::App& parent);  // image inspect
Command add_image_exists(CLI::App& parent);   // cli/exists.cc, as the other two
Command add_image_prune(CLI::App& parent);
// `image <verb>`: the verbs above under one group.
std::vector<Command> add_image_group(CLI::App& parent);
Command add_gc(CLI::App& parent);
Command add_check(CLI::App& parent);
Command add_login(CLI::App& parent);
Command add_logout(CLI::App& parent);
Command add_info(CLI::App& parent);
Command add_version(CLI::App& parent);

// Container verbs (one file each).
Command add_run(CLI::App& parent);
Command add_ps(CLI::App& parent, const std::string& name = "ps");
Command add_stop(CLI::App& parent, const std::string& name = "stop");
Command add_rm(CLI::App& parent, const std::string& name = "rm");
Command add_exec(CLI::App& parent);
Command add_logs(CLI::App& parent);
Command add_commit(CLI::App& parent);
Command add_export(CLI::App& parent);
Command add_cp(CLI::App& parent);
Command add_diff(CLI::App& parent);
Command add_top(CLI::App& parent);
// `volume create|ls|inspect|rm|prune|exists` (cli/volume.cc).
std::vector<Command> add_volume_group(CLI::App& parent);
// `network <verb>`: create, ls, inspect, rm, prune, exists (cli/network.cc).
std::vector<Command> add_network_group(CLI::App& parent);
// network connect, disconnect, reload (cli/network_connect.cc), for the network group.
std::vector<Command> add_network_connections(CLI::App& network);
Command add_wait(CLI::App& parent);
Command add_kill(CLI::App& parent);
Command add_container_inspect(CLI::App& parent);  // container inspect
Command add_container_exists(CLI::App& parent);   // container exists
Command add_volume_exists(CLI::App& parent);      // volume exists
// `NOUN exists NAME`: exit 0 when lookup finds NAME, 1 when not, 125 when the store fails.
using ExistsLookup = std::function<bool(const Store&, const std::string&)>;
Command add_exists(CLI::App& parent, const std::string& noun, const std::string& argname,
                   const std::string& arghelp, ExistsLookup lookup);
Command add_create(CLI::App& parent);
Command add_start(CLI::App& parent);
Command add_attach(CLI::App& parent);  // cli/attach.cc
Command add_restart(CLI::App& parent);
Command add_rename(CLI::App& parent);
Command add_port(CLI::App& parent);
Command add_container_prune(CLI::App& parent);  // container prune
Command add_container_cleanup(CLI::App& parent);  // container cleanup (a supervisor's exit command)
Command add_pause(CLI::App& parent);    // cli/pause.cc
Command add_unpause(CLI::App& parent);  // cli/pause.cc
// `container <verb>`: the container verbs under one group.
std::vector<Command> add_container_group(CLI::App& parent);

// The store as a whole: `system df|prune|reset`, and `unshare`.
std::vector<Command> add_system_group(CLI::App& parent);
Command add_unshare(CLI::App& parent);

}  // namespace dabba::cli
