// The CLI's own definitions, read back: what shell completion (completion.h) and the man pages
// (man_pages.h) are generated from, so neither can drift from the verbs and flags dabba takes.
#pragma once

#include <string>
#include <vector>

#include "cli/cli11_fwd.h"

namespace dabba::cli {

// A verb or group a user sees: not hidden (CLI11 hides an empty group).
bool visible(const CLI::App& app);
bool visible(const CLI::Option& option);

// Its visible subcommands, in the order they were added.
std::vector<const CLI::App*> visible_subcommands(const CLI::App& app);

// Its visible flags and options (not positionals), with the help flag.
std::vector<const CLI::Option*> visible_options(const CLI::App& app);

// Its positionals, in order.
std::vector<const CLI::Option*> positionals(const CLI::App& app);

// "run", "network create": the words from the root to app (empty for the root).
std::string verb_path(const CLI::App& app);

// "-d, --detach" (and " VALUE" when it takes one).
std::string option_names(const CLI::Option& option);

// The option of app, or of an app above it (global flags), named "--name", "-n" or "name";
// nullptr when none.
const CLI::Option* find_option_upwards(const CLI::App& app, const std::string& name);

}  // namespace dabba::cli
