#include "runner/process_config.h"

#include "common/error.h"
#include "runner/path.h"

namespace dabba::runner {

std::vector<std::string> command_line(const ImageConfig& image,
                                      const std::optional<std::string>& entrypoint_flag,
                                      const std::vector<std::string>& args) {
  std::vector<std::string> entrypoint = image.entrypoint;
  std::vector<std::string> cmd = image.cmd;
  if (entrypoint_flag) {
    // Docker: "Passing --entrypoint will clear out any default command set on the image."
    cmd.clear();
    entrypoint.clear();
    if (!entrypoint_flag->empty()) entrypoint.push_back(*entrypoint_flag);
  }
  if (!args.empty()) cmd = args;
  std::vector<std::string> argv = std::move(entrypoint);
  argv.insert(argv.end(), cmd.begin(), cmd.end());
  if (argv.empty() || argv[0].empty())
    throw Error(Errc::kInvalidArgument, "no command specified", 0,
                "give a command after the image name (the image has no Entrypoint or Cmd)");
  return argv;
}

std::string working_dir(const ImageConfig& image, const std::optional<std::string>& workdir_flag) {
  if (workdir_flag) {
    if (workdir_flag->empty() || (*workdir_flag)[0] != '/')
      throw Error(Errc::kInvalidArgument,
                  "the working directory '" + *workdir_flag + "' is invalid", 0,
                  "-w needs an absolute path");
    return clean_path(*workdir_flag);
  }
  return clean_path(image.working_dir);
}

std::string user_spec(const ImageConfig& image, const std::optional<std::string>& user_flag) {
  return user_flag ? *user_flag : image.user;
}

}  // namespace dabba::runner
