#include "cli/containers.h"

#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "cli/network_flags.h"
#include "common/error.h"
#include "common/exit_codes.h"
#include "runner/container.h"
#include "runner/freezer.h"
#include "runner/stop.h"

namespace dabba::cli {

int64_t created_ns(const ContainerRecord& record, const ContainerInfo& info) {
  return info.created_ns != 0 ? info.created_ns : record.created * 1000000000;
}

int64_t created_ns(const ContainerRecord& record) {
  try {
    return created_ns(record, decode_container_info(record.runner_json));
  } catch (const Error&) {
    return record.created * 1000000000;
  }
}

int64_t unix_now_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

PsRow ps_row(const ContainerView& v, int64_t now) {
  PsRow r;
  r.id = v.record.id;
  r.name = v.record.name;
  r.image = v.info.image;
  r.image_id = v.info.image_id;
  r.labels = v.info.labels;
  for (const ContainerNetwork& n : v.info.networks) r.networks.push_back(n.name);
  r.state = state_name(v);
  if (v.state && v.state->status == runner::ContainerStatus::kExited)
    r.exit_code = v.state->exit_code;
  r.created = created_ns(v.record, v.info);
  for (const auto& part : v.info.command) r.command += (r.command.empty() ? "" : " ") + part;
  r.status = status_text(v, now);
  return r;
}

ContainerRecord latest_container(const Store& store) {
  std::optional<ContainerRecord> newest;
  int64_t newest_ns = 0;
  for (auto& c : store.list_containers()) {
    const int64_t ns = created_ns(c);
    if (!newest || ns >= newest_ns) {
      newest = std::move(c);
      newest_ns = ns;
    }
  }
  if (!newest) throw Error(Errc::kNotFound, "no containers to act on (--latest)");
  return *newest;
}

ContainerRecord find_container(const Store& store, const std::string& id_or_name) {
  std::optional<ContainerRecord> c = store.container(id_or_name);
  if (!c)
    throw Error(Errc::kNotFound,
                "no container with name or ID \"" + id_or_name + "\" found: no such container", 0,
                "dabba ps -a lists the containers");
  return *c;
}

std::vector<std::string> containers_on_network(const Store& store, const std::string& name) {
  std::vector<std::string> ids;
  for (const ContainerRecord& r : store.list_containers()) {
    try {
      for (const ContainerNetwork& n : decode_container_info(r.runner_json).networks)
        if (n.name == name) ids.push_back(r.id);
    } catch (const Error&) {
      // a torn record uses nothing
    }
  }
  return ids;
}

ContainerView view_container(const Store& store, const ContainerRecord& record) {
  ContainerView v;
  v.record = record;
  v.info = decode_container_info(record.runner_json);
  v.dir = store.container_dir(record.id);
  try {
    v.state = runner::read_settled_state(v.dir);
  } catch (const Error&) {
    v.state.reset();  // unreadable (another user's?): shown as created
  }
  v.running = v.state && runner::alive(*v.state);
  if (v.running) v.info.ports = published_ports(v.dir);  // host ports as chosen at the start
  // Only a container with a cgroup can be paused: no file read for the others.
  if (v.running && !v.state->cgroups.empty())
    if (auto freezer = runner::freezer_dir(v.state->cgroups))
      v.paused = runner::is_frozen(*freezer);
  if (v.running) v.stopping = runner::stopping(v.dir);
  return v;
}

std::string human_duration(int64_t s) {
  if (s < 1) return "Less than a second";
  if (s == 1) return "1 second";
  if (s < 60) return std::to_string(s) + " seconds";
  int64_t m = s / 60;
  if (m == 1) return "About a minute";
  if (m < 60) return std::to_string(m) + " minutes";
  int64_t h = s / 3600;
  if (h == 1) return "About an hour";
  if (h < 48) return std::to_string(h) + " hours";
  int64_t d = h / 24;
  if (d < 14) return std::to_string(d) + " days";
  if (d < 7 * 8) return std::to_string(d / 7) + " weeks";
  if (d < 365 * 2) return std::to_string(d / 30) + " months";
  return std::to_string(d / 365) + " years";
}

std::string state_name(const ContainerView& v) {
  if (v.paused) return "paused";
  if (v.stopping) return "stopping";
  if (v.running) return "running";
  if (!v.state || v.state->status == runner::ContainerStatus::kCreated) return "created";
  return "exited";
}

std::string status_text(const ContainerView& v, int64_t now) {
  if (v.paused) return "Paused";
  if (v.stopping) return "Stopping";
  if (v.running) return "Up " + human_duration(now - v.state->started_at);
  if (!v.state || v.state->status == runner::ContainerStatus::kCreated) return "Created";
  if (v.state->status == runner::ContainerStatus::kRunning)
    return "Exited (unknown)";  // its owner was killed before it could record the exit
  std::string text = "Exited (" + std::to_string(v.state->exit_code) + ")";
  if (v.state->finished_at > 0) text += " " + human_duration(now - v.state->finished_at) + " ago";
  return text;
}

namespace {

// dabba's hint follows podman's line on a terminal; a script that reads stderr gets podman's text
// alone (podman's own tests compare it whole). DABBA_HINTS=1 or 0 forces either.
bool show_hints() {
  const char* v = std::getenv("DABBA_HINTS");
  if (v != nullptr && *v != '\0') return std::string_view(v) != "0";
  return ::isatty(STDERR_FILENO) == 1;
}

}  // namespace

void report_error(const Error& e) {
  // podman's prefix: scripts match "Error: ..." and the key phrase after it.
  std::string text = std::string("Error: ") + e.what() + "\n";
  if (!e.hint().empty() && show_hints()) text += "dabba: hint: " + e.hint() + "\n";
  std::fputs(text.c_str(), stderr);
}

bool act_and_print(const std::string& typed, const std::function<void()>& act) {
  try {
    act();
    std::printf("%s\n", typed.c_str());
    std::fflush(stdout);
    return true;
  } catch (const Error& e) {
    report_error(e);
    return false;
  }
}

int with_container_exit_codes(const std::function<int()>& verb) {
  try {
    return verb();
  } catch (const runner::ExecError& e) {
    report_error(e);
    return e.exit_code();
  } catch (const Error& e) {
    report_error(e);
    return kExitDabbaFailed;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "Error: %s\n", e.what());
    return kExitDabbaFailed;
  }
}

}  // namespace dabba::cli
