// dabba logs [-f] [-t] [--tail N] [--since T] [--until T] [-n] [-l] CONTAINER...
//
// What a container wrote: its stdout to ours, its stderr to ours, in the order it wrote them. Its
// owner (the supervisor, or a foreground run) keeps one log in podman's k8s-file format
// (runner/container_log.h: <container>/logs/ctr.log), a record per line; with -f new records are
// copied as they come (checked every 100 ms) until every container has exited (and its exit is
// recorded) and its log is drained. With several containers each line starts with the
// container's short id (-n/--names: its name), as podman's. A container that never ran has no log
// and prints nothing; one with --log-driver none or passthrough is podman's error.
#include <fcntl.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/containers.h"
#include "cli/image_filters.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/human.h"
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
  // The file's first record has no newline before it: counted here.
  if (record_end > 0) {
    std::string line(static_cast<size_t>(record_end), '\0');
    if (::pread(fd, line.data(), line.size(), 0) != static_cast<ssize_t>(line.size()))
      throw_errno("read a log");
    if (!line.empty() && line.back() == '\n') line.pop_back();
    auto record = runner::parse_log_record(line);
    if (record && !record->partial && ++seen > lines) {
      ::lseek(fd, record_end, SEEK_SET);
      return;
    }
  }
  ::lseek(fd, 0, SEEK_SET);
}

// An RFC 3339 time with its fraction ("2026-12-04T17:33:52.902925654Z", a record's) in unix
// seconds; 0 when it is not one.
double rfc3339_seconds(const std::string& text) {
  const size_t dot = text.find('.');
  if (dot == std::string::npos) return static_cast<double>(parse_rfc3339(text));
  size_t end = dot + 1;
  while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
  const int64_t whole = parse_rfc3339(text.substr(0, dot) + text.substr(end));
  return whole == 0 ? 0 : static_cast<double>(whole) + std::stod("0" + text.substr(dot, end - dot));
}

// --since/--until as podman takes them: unix seconds, an RFC 3339 time (with a fraction or not),
// a date, or a Go duration before now.
double parse_log_time(const std::string& text) {
  if (double t = rfc3339_seconds(text); t != 0) return t;
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  const int64_t whole = parse_until(text, now.tv_sec);
  // A duration: measured from now to the nanosecond.
  const bool duration = !text.empty() && std::isalpha(static_cast<unsigned char>(text.back()));
  return static_cast<double>(whole) + (duration ? static_cast<double>(now.tv_nsec) / 1e9 : 0);
}

// Copies the complete records there are; keeps a record still being written for the next call.
struct PrintOptions {
  bool timestamps = false;
  std::string prefix;            // "ID " or "NAME " with several containers
  std::optional<double> since;  // unix seconds: records before it are skipped
  std::optional<double> until;  // and after it
};

class LogPrinter {
 public:
  LogPrinter(UniqueFd fd, PrintOptions options)
      : owned_(std::move(fd)), fd_(owned_.get()), options_(std::move(options)) {}

  int fd() const { return fd_; }
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
    if (options_.since || options_.until) {
      const double t = rfc3339_seconds(std::string(r->time));
      if ((options_.since && t < *options_.since) || (options_.until && t > *options_.until))
        return;
    }
    int out = r->stream == runner::LogStream::kStdout ? STDOUT_FILENO : STDERR_FILENO;
    std::string text;
    if (!continued_[out]) text.append(options_.prefix);
    if (options_.timestamps && !continued_[out]) text.append(r->time).append(" ");
    text.append(r->text);
    if (!r->partial) text += '\n';
    continued_[out] = r->partial;
    write_all(out, text);
  }

  UniqueFd owned_;
  int fd_;
  PrintOptions options_;
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

// One container's log, opened and positioned; nullopt when it has none to show.
struct Followed {
  std::string dir;
  LogPrinter printer;
  std::chrono::steady_clock::time_point died{};
  bool done = false;
};

Command add_logs(CLI::App& parent) {
  struct Args {
    bool follow = false, timestamps = false, names = false, latest = false;
    int64_t tail = -1;
    std::string since, until;
    std::vector<std::string> containers;
  };
  auto args = std::make_shared<Args>();
  Command cmd = podman_verb(parent, "logs", "Show the output of containers", Needs::kNothing);
  cmd.app->add_flag("-f,--follow", args->follow,
                    "keep copying new output until the containers exit");
  cmd.app->add_flag("-t,--timestamps", args->timestamps, "show when each line was written");
  cmd.app->add_option("--tail", args->tail, "only the last N lines (-1: all)");
  cmd.app->add_option("--since", args->since,
                      "only lines since TIME (RFC 3339, unix seconds, or a duration: 10m)");
  cmd.app->add_option("--until", args->until,
                      "only lines until TIME (RFC 3339, unix seconds, or a duration: 10m)");
  cmd.app->add_flag("-n,--names", args->names, "prefix lines with names, not ids (several)");
  cmd.app->add_flag("-l,--latest", args->latest, "the container created last");
  cmd.app->add_option("container", args->containers, "container names or ids");
  cmd.run = [args](const Globals& globals) {
    if (args->latest == !args->containers.empty())
      throw Error(Errc::kInvalidArgument, args->latest
                                              ? "--latest and containers cannot be used together"
                                              : "logs needs a container (or --latest)");
    PrintOptions base;
    base.timestamps = args->timestamps;
    if (!args->since.empty()) base.since = parse_log_time(args->since);
    if (!args->until.empty()) base.until = parse_log_time(args->until);
    std::vector<ContainerView> views;
    {
      Store store = Store::open(globals.root());
      if (args->latest) views.push_back(view_container(store, latest_container(store)));
      for (const std::string& name : args->containers)
        views.push_back(view_container(store, find_container(store, name)));
    }
    std::vector<Followed> logs;
    for (const ContainerView& v : views) {
      if (v.info.log_driver == "none" || v.info.log_driver == "passthrough")
        throw Error(Errc::kUnsupported,
                    "this container is using the '" + v.info.log_driver +
                        "' log driver, cannot read logs: this container is not logging output",
                    0, "the log drivers that keep output are k8s-file (the default) and journald");
      UniqueFd fd(::open(runner::container_log_path(v.dir).c_str(), O_RDONLY | O_CLOEXEC));
      if (!fd.valid()) {
        if (errno != ENOENT) throw_errno("open the container's log");
        continue;  // never ran: nothing to show, as podman
      }
      if (args->tail >= 0) seek_to_last_lines(fd.get(), static_cast<uint64_t>(args->tail));
      PrintOptions options = base;
      if (views.size() > 1)
        options.prefix = (args->names ? v.record.name : v.record.id.substr(0, 12)) + " ";
      logs.push_back({v.dir, LogPrinter(std::move(fd), options)});
    }
    for (Followed& f : logs) f.printer.drain();
    if (!args->follow) return kExitOk;
    for (;;) {
      bool any = false, following = false;
      for (Followed& f : logs) {
        if (f.done) continue;
        // Read the state before draining: output written before the exit is then always copied.
        const bool running = keep_following(f.dir, f.died);
        any = f.printer.drain() || any;
        if (running)
          following = true;
        else
          f.done = true;
      }
      if (!following) return kExitOk;
      if (!any) ::poll(nullptr, 0, 100);
    }
  };
  return cmd;
}

}  // namespace dabba::cli
