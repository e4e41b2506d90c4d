// dabba logs [-f] [-t] [--tail N] NAME
//
// What a detached container wrote: its stdout to ours, its stderr to ours, in the order it wrote
// them. The supervisor keeps one log in podman's k8s-file format (runner/container_log.h:
// <container>/logs/ctr.log); with -f new records are copied as they come (checked every 100 ms)
// until the container has exited (and its exit is recorded) and the log is drained. A foreground
// container's output went to its terminal and has no log.
#include <fcntl.h>
#include <poll.h>
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
#include "runner/container_log.h"
#include "runner/state.h"
#include "store/store.h"

namespace dabba::cli {
namespace {

// Positions fd at the first record of the last `lines` lines: a line is a run of P records ended
// by an F record (a P record at the very end counts as the start of one).
void seek_to_last_lines(int fd, uint64_t lines) {
  off_t end = ::lseek(fd, 0, SEEK_END);
  if (end < 0) throw_errno("seek in a log");
  if (lines == 0) return;
  off_t pos = end;
  uint64_t seen = 0;
  char buf[64 * 1024];
  off_t record_end = end;  // the end of the record being assembled
  while (pos > 0) {
    size_t n = static_cast<size_t>(std::min<off_t>(pos, sizeof buf));
    pos -= static_cast<off_t>(n);
    ssize_t got = ::pread(fd, buf, n, pos);
    if (got != static_cast<ssize_t>(n)) throw_errno("read a log");
    for (size_t i = n; i-- > 0;) {
      if (buf[i] != '\n' || pos + static_cast<off_t>(i) + 1 == end) continue;
      // A record starts at pos+i+1 and ends at record_end.
      off_t start = pos + static_cast<off_t>(i) + 1;
      std::string line(static_cast<size_t>(record_end - start), '\0');
      if (::pread(fd, line.data(), line.size(), start) != static_cast<ssize_t>(line.size()))
        throw_errno("read a log");
      if (!line.empty() && line.back() == '\n') line.pop_back();
      auto record = runner::parse_log_record(line);
      const off_t after = record_end;
      record_end = start;
      // The F record before the window ends the line before it: start after it.
      if (record && !record->partial && ++seen > lines) {
        ::lseek(fd, after, SEEK_SET);
        return;
      }
    }
  }
  ::lseek(fd, 0, SEEK_SET);
}

// Copies the complete records there are; keeps a record still being written for the next call.
class LogPrinter {
 public:
  LogPrinter(int fd, bool timestamps) : fd_(fd), timestamps_(timestamps) {}

  bool drain() {
    char buf[64 * 1024];
    bool any = false;
    for (;;) {
      ssize_t n = ::read(fd_, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw_errno("read a log");
      if (n == 0) return any;
      any = true;
      pending_.append(buf, static_cast<size_t>(n));
      size_t start = 0;
      for (size_t nl; (nl = pending_.find('\n', start)) != std::string::npos; start = nl + 1)
        print(std::string_view(pending_).substr(start, nl - start));
      pending_.erase(0, start);
    }
  }

 private:
  void print(std::string_view line) {
    auto r = runner::parse_log_record(line);
    if (!r) return;
    int out = r->stream == runner::LogStream::kStdout ? STDOUT_FILENO : STDERR_FILENO;
    std::string text;
    if (timestamps_ && !continued_[out]) text.append(r->time).append(" ");
    text.append(r->text);
    if (!r->partial) text += '\n';
    continued_[out] = r->partial;
    write_all(out, text);
  }

  int fd_;
  bool timestamps_;
  std::string pending_;
  bool continued_[3] = {false, false, false};
};

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
  bool owner_alive = runner::supervisor_alive(dir, *state);
  return owner_alive && now - died < std::chrono::seconds(5);
}

}  // namespace

Command add_logs(CLI::App& parent) {
  struct Args {
    bool follow = false;
    bool timestamps = false;
    std::optional<uint64_t> tail;
    std::string name;
  };
  auto args = std::make_shared<Args>();
  Command cmd;
  cmd.app = parent.add_subcommand("logs", "Show the output of a detached container");
  cmd.app->add_flag("-f,--follow", args->follow,
                    "keep copying new output until the container exits");
  cmd.app->add_flag("-t,--timestamps", args->timestamps, "show when each line was written");
  cmd.app->add_option("-n,--tail", args->tail, "only the last N lines");
  cmd.app->add_option("container", args->name, "container name or id")->required();
  cmd.needs = Needs::kNothing;
  cmd.run = [args](const Globals& globals) {
    std::string dir;
    {
      Store store = Store::open(globals.root());
      dir = store.container_dir(find_container(store, args->name).id);
    }
    UniqueFd fd(::open(runner::container_log_path(dir).c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) {
      if (errno != ENOENT) throw_errno("open the container's log");
      // A foreground container's output goes straight to the terminal, so there is no log to
      // show; say so rather than print nothing.
      log_warn("container " + args->name +
               " ran in the foreground: its output went to the terminal, not to a log "
               "(run it with -d to keep a log)");
      return kExitOk;
    }
    if (args->tail) seek_to_last_lines(fd.get(), *args->tail);
    LogPrinter printer(fd.get(), args->timestamps);
    printer.drain();
    if (!args->follow) return kExitOk;
    std::chrono::steady_clock::time_point died{};
    for (;;) {
      // Read the state before draining: output written before the exit is then always copied.
      bool running = keep_following(dir, died);
      bool any = printer.drain();
      if (!running) return kExitOk;
      if (!any) ::poll(nullptr, 0, 100);
    }
  };
  return cmd;
}

}  // namespace dabba::cli
