// Child processes owned by RAII: a Subprocess is killed (SIGKILL) and reaped when it goes out of
// scope, unless it was waited for or detached.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dabba {

struct ExitStatus {
  int raw = 0;  // as from waitpid
  bool exited() const;
  int code() const;              // exit code, or 128+signal like a shell
  int signal() const;            // 0 if it exited
  std::string describe() const;  // "exit status 3" / "killed by signal 9"
};

class Subprocess {
 public:
  Subprocess() = default;
  explicit Subprocess(pid_t pid) : pid_(pid) {}
  Subprocess(Subprocess&& other) noexcept;
  Subprocess& operator=(Subprocess&& other) noexcept;
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;
  ~Subprocess();

  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }
  ExitStatus wait();
  // Sends sig (if still ours); ignores ESRCH.
  void kill(int sig);
  pid_t detach();

 private:
  pid_t pid_ = -1;
};

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
Subprocess spawn(const std::vector<std::string>& argv, const SpawnOptions& options = {});

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

// Looks a program up in PATH (and /usr/sbin, /sbin); empty if absent.
std::string find_program(const std::string& name);

}  // namespace dabba
