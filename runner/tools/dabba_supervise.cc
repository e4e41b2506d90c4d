// dabba-supervise: the program a -d container's supervisor becomes (runner/supervisor.h), as
// podman's conmon is a program of its own. start_detached() exec's it after its double fork with
// the start's channel as fd 3 and the Spec (spec_codec.h) in a memfd as fd 4:
//
//   dabba-supervise --restarts N --log-level LEVEL --exit-removes 0|1 [-- EXIT-COMMAND...]
//
// A bad start is told over the channel, so the caller's `run -d` says what went wrong.
// It links runner and common only (no store, no registry, no curl), statically where the build
// allows: it lives as long as the container, so its memory is counted once per container.
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "common/error.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/mapped_write_fault.h"
#include "common/process_title.h"
#include "common/unique_fd.h"
#include "runner/spec_codec.h"
#include "runner/supervisor.h"
#include "runner/sync_channel.h"

namespace {

[[noreturn]] void usage(const std::string& why) {
  const std::string text = "dabba-supervise: " + why;
  dabba::runner::SyncChannel report{dabba::UniqueFd(dabba::runner::kSuperviseReportFd)};
  if (!report.send_noexcept(dabba::runner::SyncKind::kError, 125, 0, text))
    std::fprintf(stderr, "%s (it is started by `dabba run -d` and `dabba start`)\n", text.c_str());
  ::_exit(125);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace dabba;
  using namespace dabba::runner;
  explain_mapped_write_faults();
  unsigned restarts = 0;
  ExitCommand exit_command;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") {
      for (++i; i < argc; ++i) exit_command.argv.emplace_back(argv[i]);
      break;
    }
    if (i + 1 >= argc) usage("no value after " + arg);
    const std::string value = argv[++i];
    try {
      if (arg == "--id")
        continue;  // for its title's room (supervisor.cc); the spec says which container
      else if (arg == "--restarts")
        restarts = static_cast<unsigned>(std::stoul(value));
      else if (arg == "--log-level")
        set_log_level(parse_log_level(value));
      else if (arg == "--exit-removes")
        exit_command.removes_container = value == "1";
      else
        usage("unknown argument " + arg);
    } catch (const std::exception&) {
      usage("bad value " + value + " for " + arg);
    }
  }
  Spec spec;
  try {
    spec = decode_spec(read_all(kSuperviseSpecFd));
  } catch (const std::exception& e) {
    usage(std::string("no spec on fd 4: ") + e.what());
  }
  ::close(kSuperviseSpecFd);
  // The title stop, rm and wait look for (runner/state.h, supervisor_alive).
  set_process_title("dabba-supervise " + spec.id);
  supervise(spec, kSuperviseReportFd, exit_command, restarts);
}
