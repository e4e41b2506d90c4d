// The container's process from the image config and the run flags, with Docker's rules: how
// Entrypoint and Cmd combine, which working directory and user apply. Plain data in, plain data
// out; the environment has its own file (env.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace dabba::runner {

// The parts of an OCI image config ("config" object) the runner uses. The CLI fills it from the
// store's parsed config.
struct ImageConfig {
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::vector<std::string> env;  // "K=V"
  std::string working_dir;
  std::string user;
  std::string stop_signal;                 // e.g. "SIGTERM", "15"; empty when unset
  std::vector<std::string> exposed_ports;  // "80/tcp" (ExposedPorts), what -P publishes
};

// Entrypoint + Cmd as `docker run` combines them:
//  - args (after IMAGE) replace the image's Cmd;
//  - --entrypoint X replaces the image's Entrypoint with [X] and drops the image's Cmd;
//  - --entrypoint "" clears the Entrypoint (and the image's Cmd), so args alone are the command.
// Throws Error{kInvalidArgument} "no command specified" when the result is empty.
std::vector<std::string> command_line(const ImageConfig& image,
                                      const std::optional<std::string>& entrypoint_flag,
                                      const std::vector<std::string>& args);

// -w (absolute, else Error) overrides the image's WorkingDir (taken relative to "/" if it is not
// absolute); the default is "/". The result is cleaned ("/a/./b/" -> "/a/b").
std::string working_dir(const ImageConfig& image, const std::optional<std::string>& workdir_flag);

// -u overrides the image's User; "" means root.
std::string user_spec(const ImageConfig& image, const std::optional<std::string>& user_flag);

}  // namespace dabba::runner
