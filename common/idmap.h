// User and group id maps: who the caller is on the host, the ranges /etc/subuid and /etc/subgid
// grant them, and the map that puts container id 0 on the caller and 1..N on those ranges.
// The store (to unpack layers) and the runner (to run containers) use the same map, so the owners
// of unpacked files are exactly what the container sees.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace dabba {

struct IdMapping {
  uint32_t inside = 0;
  uint32_t outside = 0;
  uint32_t count = 0;
  bool operator==(const IdMapping&) const = default;
};

struct IdMap {
  std::vector<IdMapping> uids;
  std::vector<IdMapping> gids;
  // True for a single-id map of an unprivileged caller: setgroups must be denied.
  bool deny_setgroups = false;

  bool maps_uid(uint32_t id) const;
  bool maps_gid(uint32_t id) const;
  // "0-65536" style summary of the inside ids, for error messages.
  static std::string describe(const std::vector<IdMapping>& ranges);
  // The lines written to /proc/PID/uid_map: "0 1000 1\n1 100000 65536\n".
  static std::string proc_lines(const std::vector<IdMapping>& ranges);
  bool operator==(const IdMap&) const = default;
};

struct SubIdRange {
  uint32_t start = 0;
  uint32_t count = 0;
};

// The ranges for `user` (matched by name or by numeric id) in a subuid/subgid file. A missing file
// gives no ranges.
std::vector<SubIdRange> read_subid_ranges(const std::string& file, const std::string& user,
                                          uint32_t id);

// The caller as the host sees it, also when this process is already inside dabba's user namespace
// (read back from /proc/self/uid_map then).
struct HostIdentity {
  uid_t uid = 0;
  gid_t gid = 0;
  std::string user;  // login name, or the number when /etc/passwd has none
  bool is_root() const { return uid == 0; }
};
const HostIdentity& host_identity();

// True when this process is in the initial user namespace.
bool in_initial_user_namespace();

// 0 -> caller, then 1.. -> every subuid/subgid range in file order. With no ranges, the single-id
// map (deny_setgroups set). For root, the identity map over the whole id space.
IdMap default_id_map(const HostIdentity& who, const std::string& subuid_file = "/etc/subuid",
                     const std::string& subgid_file = "/etc/subgid");

// The one-line advice for a caller without subuid/subgid ranges.
std::string subid_hint(const HostIdentity& who);

// Writes map into the user namespace of pid (a child that unshared or was cloned with
// CLONE_NEWUSER). Uses newuidmap/newgidmap when the map needs privileges the caller lacks, and
// writes /proc/PID/{setgroups,uid_map,gid_map} directly otherwise. Throws Error with the helper's
// message and a hint on failure.
void write_id_map(pid_t pid, const IdMap& map);

}  // namespace dabba
