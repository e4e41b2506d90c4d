#include "cli/cli_tree.h"

#include <CLI/CLI.hpp>

namespace dabba::cli {

bool visible(const CLI::App& app) { return !app.get_group().empty() && !app.get_name().empty(); }

bool visible(const CLI::Option& option) { return !option.get_group().empty(); }

std::vector<const CLI::App*> visible_subcommands(const CLI::App& app) {
  return app.get_subcommands([](const CLI::App* a) { return visible(*a); });
}

std::vector<const CLI::Option*> visible_options(const CLI::App& app) {
  return app.get_options([](const CLI::Option* o) { return o->nonpositional() && visible(*o); });
}

std::vector<const CLI::Option*> positionals(const CLI::App& app) {
  return app.get_options([](const CLI::Option* o) { return o->get_positional(); });
}

std::string verb_path(const CLI::App& app) {
  std::string path;
  for (const CLI::App* a = &app; a->get_parent() != nullptr; a = a->get_parent())
    path = a->get_name() + (path.empty() ? "" : " " + path);
  return path;
}

std::string option_names(const CLI::Option& option) {
  std::string out;
  for (const std::string& s : option.get_snames()) out += (out.empty() ? "-" : ", -") + s;
  for (const std::string& l : option.get_lnames()) out += (out.empty() ? "--" : ", --") + l;
  if (option.get_expected_min() > 0) out += " VALUE";
  return out;
}

const CLI::Option* find_option_upwards(const CLI::App& app, const std::string& name) {
  std::string key = name;
  if (!key.starts_with('-')) key = (key.size() == 1 ? "-" : "--") + key;
  for (const CLI::App* a = &app; a != nullptr; a = a->get_parent())
    if (const CLI::Option* o = a->get_option_no_throw(key)) return o;
  return nullptr;
}

}  // namespace dabba::cli
