// dabba logs [-f] [--tail N] NAME
//
// What a detached container wrote: its stdout to ours, its stderr to ours. The supervisor appends
// them to two files (<container>/logs/stdout and stderr), so without -f the streams come one after
// the other, not interleaved; with -f new output is copied as it comes (checked every 100 ms)
// until the container has exited (and its exit is recorded) and both files are drained. A
// foreground container's output went to its terminal and has no log.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/containers.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/unique_fd.h"
#include "runner/state.h"
#include "store/store.h"

namespace dabba::cli {
namespace {

struct LogStream {
  UniqueFd fd;
  int out;
};

// Positions fd at the start of its last `lines` lines (a final line without '\n' counts).
void seek_to_last_lines(int fd, uint64_t lines) {
  off_t end = ::lseek(fd, 0, SEEK_END);
  if (end < 0) throw_errno("seek in a log");
  off_t pos = end;
  uint64_t seen = 0;
  char buf[64 * 1024];
  bool last_byte = true;
  while (pos > 0) {
    size_t n = static_cast<size_t>(std::min<off_t>(pos, sizeof buf));
    pos -= static_cast<off_t>(n);
    ssize_t got = ::pread(fd, buf, n, pos);
    if (got != static_cast<ssize_t>(n)) throw_errno("read a log");
    for (size_t i = n; i-- > 0;) {
      if (buf[i] != '\n') {
        last_byte = false;
        continue;
      }
      if (last_byte) {  // the file's final newline ends the last line, it starts none
        last_byte = false;
        continue;
      }
      if (++seen == lines) {
        ::lseek(fd, pos + static_cast<off_t>(i) + 1, SEEK_SET);
        return;
      }
    }
  }
  ::lseek(fd, 0, SEEK_SET);
}

// Copies what is there now; returns whether anything was.
bool drain(LogStream& s) {
  char buf[64 * 1024];
  bool any = false;
  for (;;) {
    ssize_t n = ::read(s.fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("read a log");
    if (n == 0) return any;
    write_all(s.out, buf, static_cast<size_t>(n));
    any = true;
  }
}

// Whether to keep following: while the container runs, and after its PID 1 died until its owner
// (the supervisor) has recorded the exit, so that `logs -f; ps -a` shows the exit code. An owner
// that is gone (SIGKILLed) or takes longer than a few seconds is not waited for.
bool keep_following(const std::string& dir, std::chrono::steady_clock::time_point& died) {
  std::optional<runner::ContainerState> state;
  try {
    state = runner::read_state(dir);
  } catch (const Error&) {
    return false;  // removed meanwhile (--rm)
  }
  if (!state || state->status != runner::ContainerStatus::kRunning) return false;
  if (runner::alive(*state)) return true;
  auto now = std::chrono::steady_clock::now();
  if (died == std::chrono::steady_clock::time_point{}) died = now;
  bool owner_alive = state->supervisor_pid > 0 && ::kill(state->supervisor_pid, 0) == 0;
  return owner_alive && now - died < std::chrono::seconds(5);
}

}  // namespace

Command add_logs(CLI::App& parent) {
  struct Args {
    bool follow = false;
    std::optional<uint64_t> tail;
    std::string name;
  };
  auto args = std::make_shared<Args>();
  Command cmd;
  cmd.app = parent.add_subcommand("logs", "Show the output of a detached container");
  cmd.app->add_flag("-f,--follow", args->follow,
                    "keep copying new output until the container exits");
  cmd.app->add_option("-n,--tail", args->tail, "only the last N lines of each stream");
  cmd.app->add_option("container", args->name, "container name or id")->required();
  cmd.needs = Needs::kNothing;
  cmd.run = [args](const Globals& globals) {
    std::string dir;
    {
      Store store = Store::open(globals.root());
      dir = store.container_dir(find_container(store, args->name).id);
    }
    std::vector<LogStream> streams;
    for (auto [file, out] : {std::pair{"stdout", STDOUT_FILENO}, {"stderr", STDERR_FILENO}}) {
      UniqueFd fd(::open((runner::log_dir(dir) + "/" + file).c_str(), O_RDONLY | O_CLOEXEC));
      if (!fd.valid()) {
        if (errno == ENOENT) continue;  // never detached
        throw_errno(std::string("open the container's ") + file + " log");
      }
      if (args->tail) seek_to_last_lines(fd.get(), *args->tail);
      streams.push_back({std::move(fd), out});
    }
    if (streams.empty()) {
      // A foreground container's output goes straight to the terminal (no copy: run is faster
      // for it), so there is no log to show; say so rather than print nothing.
      log_warn("container " + args->name +
               " ran in the foreground: its output went to the terminal, not to a log "
               "(run it with -d to keep a log)");
      return kExitOk;
    }
    if (args->tail && *args->tail == 0)
      for (auto& s : streams) ::lseek(s.fd.get(), 0, SEEK_END);
    for (auto& s : streams) drain(s);
    if (!args->follow) return kExitOk;
    std::chrono::steady_clock::time_point died{};
    for (;;) {
      // Read the state before draining: output written before the exit is then always copied.
      bool running = keep_following(dir, died);
      bool any = false;
      for (auto& s : streams) any = drain(s) || any;
      if (!running) return kExitOk;
      if (!any) ::poll(nullptr, 0, 100);
    }
  };
  return cmd;
}

}  // namespace dabba::cli
