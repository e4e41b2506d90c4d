// dabba version [-f FORMAT]: podman's version object (podman_info.h), as podman-version(1)
// prints it: a "Client:" block, or the object through --format (json, {{.Client.Version}}).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/format_template.h"
#include "cli/podman_info.h"

namespace dabba::cli {

Command add_version(CLI::App& parent) {
  auto format = std::make_shared<std::string>();
  Command cmd = podman_verb(parent, "version", "Show dabba's version", Needs::kNothing);
  cmd.app->add_option("-f,--format", *format, "json or a Go template ({{.Client.Version}})");
  cmd.run = [format](const Globals&) {
    TemplateData v = podman_version();
    if (is_json_format(*format)) {
      std::printf("%s\n", v.dump(4).c_str());
      return kExitOk;
    }
    if (!format->empty()) {
      std::string text = GoTemplate("version", *format).render(v);
      if (text.empty() || text.back() != '\n') text += '\n';
      std::fputs(text.c_str(), stdout);
      return kExitOk;
    }
    const auto& c = v["Client"];
    std::printf("Client:       dabba\nVersion:      %s\nAPI Version:  %s\nOS/Arch:      %s\n",
                c["Version"].get<std::string>().c_str(), c["APIVersion"].get<std::string>().c_str(),
                c["OsArch"].get<std::string>().c_str());
    return kExitOk;
  };
  return cmd;
}

}  // namespace dabba::cli
