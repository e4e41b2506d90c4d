// --userns, --uidmap and --gidmap of run/create, as podman 4.3 takes them, and the user namespace
// they make of a Spec (Spec::id_map, the keep-id user and its /etc/passwd and /etc/group lines).
//
// Rootless, dabba's own namespace maps the caller to 0 and the subuid ranges to 1..N (common/
// userns.h). Every mode but host nests a namespace in it, whose map is written relative to it,
// as podman's rootless maps are:
//   host (or "")        no new namespace: 0 is the caller
//   keep-id[:uid=U,gid=G]  U (default the caller's uid) -> 0, 0..U-1 -> 1..U, U+1.. -> U+1..;
//                       the process runs as U:G and /etc/passwd gains the caller's entry
//   nomap               0.. -> 1..N: the caller is not in the container at all
//   auto[:size=N]       0..N-1 -> 1..N (N = 1024 by default)
//   --uidmap C:F:S      C..C+S-1 -> F..F+S-1, repeatable; a missing --gidmap copies --uidmap and
//                       the other way round, as podman does
// Real root: keep-id, nomap and auto are refused (podman's words); --uidmap replaces the identity
// map of the namespace the runner creates anyway, in host ids.
//
// Plain data and pure functions: unit-tested in tests/cli/userns_options_test.cc.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/idmap.h"

namespace dabba::runner {
struct Spec;
}

namespace dabba::cli {

enum class UsernsMode { kHost, kKeepId, kNoMap, kAuto, kMapped };

struct UsernsOptions {
  UsernsMode mode = UsernsMode::kHost;
  std::optional<uint32_t> keep_uid, keep_gid;  // keep-id:uid=,gid=
  uint32_t auto_size = 1024;                   // auto:size=
  std::vector<IdMapping> uidmap, gidmap;       // --uidmap/--gidmap (kMapped), both filled
};

// Throws Error{kInvalidArgument} with podman's words: "unrecognized namespace mode X passed",
// "unknown option specified: \"X\"", "--userns and --uidmap/--gidmap/--subuidname/--subgidname
// are mutually exclusive", "UID setting is malformed ...".
UsernsOptions parse_userns(const std::string& userns, const std::vector<std::string>& uidmap,
                           const std::vector<std::string>& gidmap);

// Who the user namespace is made for: the caller, and the namespace dabba itself is in.
struct UsernsHost {
  bool root = false;          // real root: no namespace of dabba's own
  uint32_t uid = 0, gid = 0;  // the caller on the host
  std::string user;           // their login name ("" = none)
  std::string gecos;          // passwd's 5th field ("" = none)
  std::string group;          // the name of their primary group ("" = none)
  std::string home;           // their home directory ("" = none)
  IdMap outer;  // the map of dabba's own namespace (rootless), which sizes the nested one
};

// The nested map of a mode, relative to dabba's namespace (empty for kHost). Throws
// Error{kInvalidArgument} when the mode cannot be made (root with keep-id/nomap/auto, a size
// beyond what the subuid ranges give).
IdMap userns_map(const UsernsOptions& o, const UsernsHost& host);

// Fills spec.id_map and, for keep-id, spec.user (unless -u was given: user_given) and the
// passwd/group lines. For real root with kHost, spec.id_map is left alone.
void apply_userns(const UsernsOptions& o, const UsernsHost& host, bool user_given,
                  runner::Spec& spec);

// What `inspect` shows as HostConfig.UsernsMode: "" for host, "private" for the others (as
// podman 4.3 shows them), and the maps as "C:F:S" texts.
std::string userns_mode_name(const UsernsOptions& o);
std::vector<std::string> id_mapping_texts(const std::vector<IdMapping>& ranges);

}  // namespace dabba::cli
