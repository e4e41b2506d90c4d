#include "cli/container_start.h"

#include <cstdio>
#include <cstdlib>

#include "cli/new_container.h"
#include "common/dir_stream.h"
#include "common/error.h"
#include "common/log.h"
#include "common/subprocess.h"
#include "runner/run.h"
#include "runner/spec_codec.h"
#include "runner/state.h"
#include "runner/supervisor.h"
#include "store/image_names.h"
#include "store/store_options.h"

namespace dabba::cli {
namespace {

// The runner clones and forks: every thread (the pull's workers, curl's resolver) must be gone by
// then. Checked in debug builds, where the tests run.
void assert_single_threaded() {
#ifndef NDEBUG
  const size_t threads = list_dir("/proc/self/task").size();
  if (threads != 1) {
    std::fprintf(stderr, "dabba: bug: %zu threads alive where the container is started\n", threads);
    std::abort();
  }
#endif
}

}  // namespace

// The foreground run: the runner records the state (ps, stop and exec see a foreground container
// as they see a detached one); --rm removes the record (and the directory) after the exit.
void remove_run_image(Store& store, const std::string& reference) {
  try {
    const Removal plan = plan_removal(store, reference, false);
    for (const std::string& name : plan.names) store.remove_name(name, false);
  } catch (const Error& e) {
    if (e.code() != Errc::kNotFound && e.code() != Errc::kConflict)
      log_warn("--rmi: could not remove the image " + reference + ": " + e.what());
  }
}

int start_attached(Store& store, const runner::Spec& spec, bool rm,
                   const std::string& remove_image) {
  runner::OnExit on_exit;
  if (rm) {
    on_exit.run = [&store, &spec, remove_image](const runner::ContainerState&) {
      remove_container_record(store, spec.id);
      if (!remove_image.empty()) remove_run_image(store, remove_image);
    };
    on_exit.removes_container = true;
  }
  assert_single_threaded();
  return runner::run_foreground(spec, std::move(on_exit));
}

void start_detached(const std::string& store_root, const runner::Spec& spec, bool rm,
                    bool remove_image) {
  runner::ExitCommand exit_command;
  if (rm) {
    // conmon's --exit-command, as podman passes it: the supervisor links no store.
    exit_command.argv = {self_exe_path(), "--root",    store_root, "--log-level",
                         log_level_name(log_level()), "container", "cleanup",  "--rm"};
    if (remove_image) exit_command.argv.push_back("--rmi");
    exit_command.argv.push_back(spec.id);
    exit_command.removes_container = true;
  }
  assert_single_threaded();
  runner::start_detached(spec, exit_command);
}

void start_saved(const Store& store, const ContainerView& view) {
  start_detached(store.root(), runner::load_spec(view.dir), view.info.auto_remove);
}

}  // namespace dabba::cli
