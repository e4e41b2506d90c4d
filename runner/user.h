// Resolving "-u name|uid[:group|gid]" in the container's /etc/passwd and /etc/group, with the
// rules of runc's libcontainer/user (what Docker and podman use):
//  - a name must exist in passwd; a number need not (then gid 0, home "/");
//  - an explicit group must exist in group unless it is a number;
//  - supplementary groups: the primary group, then (only when no group is given) every group
//    listing the user.
// The texts are read by the child from the mounted root (so symlinks stay inside it); this file
// only parses, so it is unit-tested directly.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

namespace dabba::runner {

struct ResolvedUser {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary: gid first
  std::string name;           // login name if passwd has one
  std::string home = "/";
  bool operator==(const ResolvedUser&) const = default;
};

// spec: "" (root), "name", "uid", "name:group", "uid:gid", ... passwd/group: the files' texts
// (empty when the image has none). Throws Error{kNotFound} "unable to find user NAME: no matching
// entries in passwd file" (Docker's words) and Error{kInvalidArgument} for a malformed spec.
ResolvedUser resolve_user(std::string_view spec, std::string_view passwd, std::string_view group);

// --group-add: each group, by name in `group` or by number, appended to user.groups (once).
// Throws Error{kNotFound} "looking up supplemental groups: unable to find group NAME: no matching
// entries in group file" (podman's words).
void add_groups(ResolvedUser& user, const std::vector<std::string>& extra, std::string_view group);

// The lines of `entries` ("name:x:id:...", passwd's or group's) whose name and id no line of
// `file` (nor an earlier entry) has yet, each ending in a newline, and a newline first when file
// does not end in one: what to append for --userns=keep-id's user, as podman adds it.
std::string missing_entries(std::string_view file, const std::vector<std::string>& entries);

// --group-add's own rule: keep-groups only alone (podman's words otherwise). Throws
// Error{kInvalidArgument}.
void check_group_add(const std::vector<std::string>& groups);

}  // namespace dabba::runner
