// `ps --filter KEY=VALUE` and `ps --sort KEY`, as podman-ps(1) reads them, over plain rows so the
// rules are unit-tested without containers. Values of one key are alternatives (status=exited
// --filter status=running: either); different keys must all match.
//
//   id=PREFIX  name=REGEX  label=KEY[=VALUE]  label!=KEY[=VALUE]  status=STATE (created, running,
//   exited, stopped: exited; paused, unknown: none here)  exited=CODE  ancestor=IMAGE (name as
//   `images --filter reference` matches it, or id prefix)  before=/since=CONTAINER
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dabba::cli {

struct PsRow {
  std::string id;
  std::string name;
  std::string image;     // as typed at run
  std::string image_id;  // sha256:...
  std::map<std::string, std::string> labels;
  std::string state;  // created, running, exited
  std::optional<int> exit_code;
  int64_t created = 0;  // unix nanoseconds (containers.h: created_ns)
  std::string command;  // for --sort command
  std::string status;   // for --sort status
  std::vector<std::string> networks;  // network= (the networks of `network create` it is on)
};

class PsFilters {
 public:
  // Throws Error{kInvalidArgument} for KEY=VALUE text podman would refuse (unknown key, bad
  // regex, exited= not a number).
  explicit PsFilters(const std::vector<std::string>& filters);

  bool empty() const { return by_key_.empty(); }
  // status= makes `ps` look at every container, not only the running ones (as podman's).
  bool has_status() const { return by_key_.count("status") > 0; }
  // all: every row, for before=/since= to find the container named.
  bool matches(const PsRow& row, const std::vector<PsRow>& all) const;

 private:
  std::multimap<std::string, std::string> by_key_;
};

// Sorts rows by podman's --sort keys: command, created (oldest first, podman's default), id,
// image, names, runningfor (newest first), status. Throws Error{kInvalidArgument} for others.
void sort_ps_rows(std::vector<PsRow>& rows, const std::string& key);

}  // namespace dabba::cli
