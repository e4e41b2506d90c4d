#include "runner/user.h"

#include <algorithm>
#include <charconv>
#include <optional>

#include "common/error.h"
#include "common/text.h"

namespace dabba::runner {
namespace {

std::optional<uint32_t> parse_id(std::string_view s) {
  if (s.empty()) return std::nullopt;
  uint32_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

template <class F>
void for_each_line(std::string_view text, F&& f) {
  size_t pos = 0;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == text.npos ? text.npos : nl - pos);
    pos = nl == text.npos ? text.size() : nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    f(line);
  }
}

struct PasswdEntry {
  std::string name;
  uint32_t uid;
  uint32_t gid;
  std::string home;
};

struct GroupEntry {
  std::string name;
  uint32_t gid;
  std::vector<std::string> members;
};

// name:password:uid:gid:gecos:home:shell; a line that does not parse is skipped (as libc does).
std::optional<PasswdEntry> find_passwd(std::string_view passwd, std::string_view name,
                                       std::optional<uint32_t> uid) {
  std::optional<PasswdEntry> found;
  for_each_line(passwd, [&](std::string_view line) {
    if (found) return;
    auto f = split(line, ':');
    if (f.size() < 4) return;
    auto u = parse_id(f[2]);
    auto g = parse_id(f[3]);
    if (!u || !g) return;
    bool match = uid ? *u == *uid : f[0] == name;
    if (!match) return;
    found = PasswdEntry{std::string(f[0]), *u, *g, f.size() > 5 ? std::string(f[5]) : ""};
  });
  return found;
}

// name:password:gid:member,member
template <class F>
void for_each_group(std::string_view group, F&& f) {
  for_each_line(group, [&](std::string_view line) {
    auto fields = split(line, ':');
    if (fields.size() < 3) return;
    auto gid = parse_id(fields[2]);
    if (!gid) return;
    GroupEntry g{std::string(fields[0]), *gid, {}};
    if (fields.size() > 3 && !fields[3].empty()) g.members = split(fields[3], ',');
    f(g);
  });
}

// A group by name, or by number (which need not be in the file).
uint32_t find_group(std::string_view name_or_gid, std::string_view group) {
  std::optional<uint32_t> gid;
  auto numeric_gid = parse_id(name_or_gid);
  for_each_group(group, [&](const GroupEntry& g) {
    if (gid) return;
    if (g.name == name_or_gid || (numeric_gid && g.gid == *numeric_gid)) gid = g.gid;
  });
  if (!gid) gid = numeric_gid;
  if (!gid)
    throw Error(Errc::kNotFound, "unable to find group " + std::string(name_or_gid) +
                                     ": no matching entries in group file");
  return *gid;
}

}  // namespace

void add_groups(ResolvedUser& user, const std::vector<std::string>& extra, std::string_view group) {
  for (const std::string& name : extra) {
    gid_t gid =
        with_context("looking up supplemental groups", [&] { return find_group(name, group); });
    if (std::find(user.groups.begin(), user.groups.end(), gid) == user.groups.end())
      user.groups.push_back(gid);
  }
}

std::string missing_entries(std::string_view file, const std::vector<std::string>& entries) {
  std::string out;
  for (const std::string& entry : entries) {
    auto want = split(entry, ':');
    if (want.size() < 3) continue;
    bool present = false;
    auto check = [&](std::string_view line) {
      auto f = split(line, ':');
      if (f.size() >= 3 && (f[0] == want[0] || f[2] == want[2])) present = true;
    };
    for_each_line(file, check);
    for_each_line(out, check);  // keep-id's user given again with --hostuser: once
    if (!present) out += entry + "\n";
  }
  if (!out.empty() && !file.empty() && file.back() != '\n') out.insert(out.begin(), '\n');
  return out;
}

void check_group_add(const std::vector<std::string>& groups) {
  if (groups.size() > 1 && std::find(groups.begin(), groups.end(), "keep-groups") != groups.end())
    throw Error(Errc::kInvalidArgument,
                "the '--group-add keep-groups' option is not allowed with any other --group-add "
                "options");
  for (const std::string& g : groups)
    if (g.empty()) throw Error(Errc::kInvalidArgument, "--group-add needs a group name or gid");
}

ResolvedUser resolve_user(std::string_view spec, std::string_view passwd, std::string_view group) {
  std::string_view user_part = spec;
  std::string_view group_part;
  bool has_group = false;
  if (auto colon = spec.find(':'); colon != spec.npos) {
    user_part = spec.substr(0, colon);
    group_part = spec.substr(colon + 1);
    has_group = true;
    if (group_part.find(':') != group_part.npos || group_part.empty())
      throw Error(Errc::kInvalidArgument, "invalid user '" + std::string(spec) + "'", 0,
                  "use -u name|uid[:group|gid]");
  }
  if (user_part.empty()) user_part = "0";  // ":grp" and "" mean root, as runc reads them

  ResolvedUser out;
  auto numeric_uid = parse_id(user_part);
  auto entry = find_passwd(passwd, user_part, numeric_uid);
  if (entry) {
    out.uid = entry->uid;
    out.gid = entry->gid;
    out.name = entry->name;
    if (!entry->home.empty()) out.home = entry->home;
  } else if (numeric_uid) {
    out.uid = *numeric_uid;
    out.gid = 0;
  } else {
    throw Error(Errc::kNotFound, "unable to find user " + std::string(user_part) +
                                     ": no matching entries in passwd file");
  }

  if (has_group) out.gid = find_group(group_part, group);
  // The primary group is a supplementary one too, as Docker and podman set it (`id` shows
  // groups=0(root),10(wheel) for root in busybox).
  out.groups.push_back(out.gid);
  if (!has_group && !out.name.empty()) {
    for_each_group(group, [&](const GroupEntry& g) {
      if (g.gid == out.gid) return;
      for (const std::string& m : g.members)
        if (m == out.name) {
          out.groups.push_back(g.gid);
          break;
        }
    });
  }
  return out;
}

}  // namespace dabba::runner
