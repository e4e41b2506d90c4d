// Programs run by path: spawn (fork + exec, the exec failure reported to the caller),
// run_command (to completion, output captured), find_program. The child is a ChildProcess: killed
// and reaped if its owner lets it go unwaited.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/child_process.h"

namespace dabba {

struct SpawnOptions {
  // fds to set up in the child as 0, 1, 2; -1 keeps ours (or /dev/null with null_stdin).
  int stdin_fd = -1;
  int stdout_fd = -1;
  int stderr_fd = -1;
  bool null_stdin = true;
  // Extra fds the child keeps at the same number (O_CLOEXEC is cleared for them).
  std::vector<int> keep_fds;
};

// fork+exec argv[0] (searched in PATH); throws Error if the program cannot be started.
ChildProcess spawn(const std::vector<std::string>& argv, const SpawnOptions& options = {});

struct CommandResult {
  ExitStatus status;
  std::string out;
  std::string err;
};
// Runs argv to completion, capturing stdout and stderr.
CommandResult run_command(const std::vector<std::string>& argv);
// The same with input (a few KiB at most) on its stdin; nullopt: /dev/null.
CommandResult run_command(const std::vector<std::string>& argv,
                          std::optional<std::string_view> input);

// This program's own path (/proc/self/exe's target); "" when it cannot be read.
std::string self_exe_path();

// Looks a program up in PATH (and /usr/sbin, /sbin); empty if absent.
std::string find_program(const std::string& name);
// The first dir/name in dirs (a PATH value; an empty entry is the current directory, as for
// execvp) that is an executable regular file; empty if none is.
std::string search_path(const std::string& name, std::string_view dirs);

}  // namespace dabba
