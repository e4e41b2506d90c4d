// `dabba run ARGS...` parsed as CLI11 parses it (tests/cli): the flags as typed, rest filled in.
#pragma once

#include <CLI/CLI.hpp>
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "cli/run_options.h"

namespace dabba::testing_support {

// given, when not null, gets "--NAME" for each long name of each flag that was typed.
inline cli::RunFlags typed_run_flags(std::vector<std::string> args,
                                     std::set<std::string>* given = nullptr) {
  CLI::App root;
  CLI::App* run = root.add_subcommand("run");
  cli::RunFlags f;
  cli::add_run_flags(*run, f);
  args.insert(args.begin(), "run");
  std::reverse(args.begin(), args.end());
  root.parse(args);
  f.rest = run->remaining();
  if (given != nullptr)
    for (const CLI::Option* o : run->get_options())
      if (o->count() > 0)
        for (const std::string& n : o->get_lnames()) given->insert("--" + n);
  return f;
}

}  // namespace dabba::testing_support
