#include <CLI/CLI.hpp>

#include "cli/command.h"
#include "common/error.h"

#include <memory>
#include <vector>

namespace dabba::cli {

Command add_not_implemented(CLI::App& parent, const std::string& name, const std::string& help) {
  Command cmd;
  cmd.app = parent.add_subcommand(name, help + " (not implemented yet)");
  // Accept whatever the finished verb will take, so the answer is always "not implemented".
  auto args = std::make_shared<std::vector<std::string>>();
  cmd.app->add_option("args", *args, "ignored")->allow_extra_args();
  cmd.app->allow_extras();
  cmd.needs = Needs::kNothing;
  cmd.run = [name, args](const Globals&) -> int {
    throw Error(Errc::kNotImplemented, "'dabba " + name + "' is not implemented yet");
  };
  return cmd;
}

}  // namespace dabba::cli
