// What the container verbs (ps, stop, rm, logs, exec) share: finding a container by what the user
// typed, and its record, creation info and live state side by side.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "cli/container_info.h"
#include "cli/ps_filters.h"
#include "common/error.h"
#include "runner/state.h"
#include "store/records.h"
#include "store/store.h"

namespace dabba::cli {

struct ContainerView {
  ContainerRecord record;
  ContainerInfo info;
  std::string dir;                              // its directory in the store
  std::optional<runner::ContainerState> state;  // nullopt: never started
  bool running = false;  // state says running and its PID 1 is still that process
  bool paused = false;   // running, and its cgroup's freezer holds it (pause)
  bool stopping = false;  // running, and a `stop` waits for it to end (runner/stop.h)
};

// By id, unique id prefix or name; throws Error{kNotFound} "no such container".
ContainerRecord find_container(const Store& store, const std::string& id_or_name);
// podman's -l/--latest: the container created last; throws Error{kNotFound} when there is none.
ContainerRecord latest_container(const Store& store);
// When the container was created, in unix nanoseconds (to the second for older records): the
// order of containers made within one second.
int64_t created_ns(const ContainerRecord& record, const ContainerInfo& info);
int64_t created_ns(const ContainerRecord& record);
// Now, in unix nanoseconds.
int64_t unix_now_ns();

// Reads the state file (a missing or unreadable one reads as "created").
// The ids of the containers on network name (--network NAME), created or running.
std::vector<std::string> containers_on_network(const Store& store, const std::string& name);

ContainerView view_container(const Store& store, const ContainerRecord& record);
// The container as `ps --filter` and `--sort` look at it (ps_filters.h).
PsRow ps_row(const ContainerView& v, int64_t now);

// The container's status as `ps` words it: "Up 3 minutes", "Exited (0) 2 minutes ago",
// "Created", "Stopping"; a container whose owner died without recording the exit: "Exited
// (unknown)".
std::string status_text(const ContainerView& view, int64_t now);
// "created", "running", "stopping" (a stop waits for it), "paused" or "exited" (what --format
// json says, inspect's State.Status).
std::string state_name(const ContainerView& view);

// Docker's wording of a duration: "Less than a second", "5 seconds", "About a minute",
// "3 minutes", "About an hour", "2 hours", "3 days", "2 weeks", "4 months", "2 years".
std::string human_duration(int64_t seconds);

// Prints "Error: ..." (podman's prefix and key phrases), then "dabba: hint: ..." when stderr is a
// terminal (or DABBA_HINTS=1; DABBA_HINTS=0 never): scripts get podman's text alone. main() and
// the verbs that go on or pick their own exit code use it.
void report_error(const Error& e);

// The container verbs' step for one container (start, restart, pause, kill): act, then print what
// the user typed. An Error is reported (report_error) and answered with false.
bool act_and_print(const std::string& typed, const std::function<void()>& act);

// run and exec: verb's exit code (the container's), or its failure reported and answered with
// podman's codes: 126/127 when the command cannot be run (runner::ExecError), 125 for any other.
int with_container_exit_codes(const std::function<int()>& verb);

}  // namespace dabba::cli
