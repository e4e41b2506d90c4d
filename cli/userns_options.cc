#include "cli/userns_options.h"

#include <algorithm>
#include <charconv>
#include <filesystem>

#include "common/error.h"
#include "common/text.h"
#include "runner/spec.h"

namespace dabba::cli {
namespace {

// podman reports a bad number with Go's words.
uint32_t parse_uint(const std::string& text) {
  uint32_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size())
    throw Error(Errc::kInvalidArgument,
                "strconv.ParseUint: parsing \"" + text + "\": invalid syntax");
  return v;
}

// "uid=1,gid=2" -> the options a mode takes; another name is podman's "unknown option".
void parse_mode_options(const std::string& text, UsernsOptions& o) {
  for (const std::string& item : split(text, ',')) {
    auto eq = item.find('=');
    std::string key = item.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : item.substr(eq + 1);
    if (o.mode == UsernsMode::kKeepId && key == "uid") {
      o.keep_uid = parse_uint(value);
    } else if (o.mode == UsernsMode::kKeepId && key == "gid") {
      o.keep_gid = parse_uint(value);
    } else if (o.mode == UsernsMode::kAuto && key == "size") {
      o.auto_size = parse_uint(value);
      if (o.auto_size == 0)
        throw Error(Errc::kInvalidArgument, "--userns=auto:size=0 maps no id", 0,
                    "give a size of at least 1 (the default is 1024)");
    } else if (o.mode == UsernsMode::kAuto && (key == "uidmapping" || key == "gidmapping")) {
      throw Error(Errc::kUnsupported, "--userns=auto:" + key + "= is not supported yet", 0,
                  "give --uidmap/--gidmap instead of --userns=auto");
    } else {
      throw Error(Errc::kInvalidArgument, "unknown option specified: \"" + key + "\"");
    }
  }
}

std::vector<IdMapping> parse_maps(const std::vector<std::string>& texts, const char* what) {
  std::vector<IdMapping> out;
  for (const std::string& text : texts) {
    auto fields = split(text, ':');
    auto malformed = [&] {
      return Error(Errc::kInvalidArgument,
                   std::string("initializing ID mappings: ") + what +
                       " setting is malformed expected [\"uint32:uint32:uint32\"]: [\"" + text +
                       "\"]");
    };
    if (fields.size() != 3) throw malformed();
    IdMapping m;
    try {
      m.inside = parse_uint(fields[0]);
      m.outside = parse_uint(fields[1]);
      m.count = parse_uint(fields[2]);
    } catch (const Error&) {
      throw malformed();
    }
    out.push_back(m);
  }
  return out;
}

bool maps_zero(const std::vector<IdMapping>& ranges) {
  return std::any_of(ranges.begin(), ranges.end(),
                     [](const IdMapping& m) { return m.inside == 0 && m.count > 0; });
}

// How many ids dabba's own namespace has: 0..size-1 (the caller, then the subordinate ranges).
uint64_t outer_size(const std::vector<IdMapping>& outer) {
  uint64_t size = 0;
  for (const IdMapping& m : outer) size = std::max<uint64_t>(size, uint64_t{m.inside} + m.count);
  return size;
}

std::string subid_advice(const UsernsHost& host) {
  return "add ranges for " + (host.user.empty() ? std::to_string(host.uid) : host.user) +
         " to /etc/subuid and /etc/subgid (as root: usermod --add-subuids 100000-165535 "
         "--add-subgids 100000-165535 USER)";
}

// keep-id: id -> 0 (the caller), 0..id-1 -> 1..id, id+1.. -> id+1.. (podman's rootless map).
std::vector<IdMapping> keep_id_ranges(uint32_t id, uint64_t size) {
  std::vector<IdMapping> out;
  uint64_t below = std::min<uint64_t>(id, size - 1);
  if (below > 0) out.push_back({0, 1, static_cast<uint32_t>(below)});
  out.push_back({id, 0, 1});
  if (uint64_t{id} + 1 < size)
    out.push_back({id + 1, id + 1, static_cast<uint32_t>(size - id - 1)});
  return out;
}

void check_within(const std::vector<IdMapping>& ranges, uint64_t size, const char* flag,
                  const UsernsHost& host) {
  for (const IdMapping& m : ranges)
    if (uint64_t{m.outside} + m.count > size)
      throw Error(Errc::kInvalidArgument,
                  std::string(flag) + " " + std::to_string(m.inside) + ":" +
                      std::to_string(m.outside) + ":" + std::to_string(m.count) +
                      " maps ids beyond the " + std::to_string(size) +
                      " of dabba's user namespace (0 is you, 1.. your subordinate ids)",
                  0, size <= 1 ? subid_advice(host) : "");
}

}  // namespace

UsernsOptions parse_userns(const std::string& userns, const std::vector<std::string>& uidmap,
                           const std::vector<std::string>& gidmap) {
  UsernsOptions o;
  if (!uidmap.empty() || !gidmap.empty()) {
    if (!userns.empty())
      throw Error(Errc::kInvalidArgument,
                  "--userns and --uidmap/--gidmap/--subuidname/--subgidname are mutually "
                  "exclusive");
    o.mode = UsernsMode::kMapped;
    o.uidmap = parse_maps(uidmap, "UID");
    o.gidmap = parse_maps(gidmap, "GID");
    if (o.uidmap.empty()) o.uidmap = o.gidmap;
    if (o.gidmap.empty()) o.gidmap = o.uidmap;
    if (!maps_zero(o.uidmap) || !maps_zero(o.gidmap))
      throw Error(Errc::kInvalidArgument,
                  std::string("container uses ID mappings, but doesn't map ") +
                      (maps_zero(o.uidmap) ? "GID" : "UID") + " 0",
                  0, "map container id 0, e.g. --uidmap 0:1:1000");
    return o;
  }
  auto colon = userns.find(':');
  std::string name = userns.substr(0, colon);
  bool has_options = colon != std::string::npos;
  if (name.empty() || name == "host") {
    if (has_options)
      throw Error(Errc::kInvalidArgument, "unrecognized namespace mode " + userns + " passed");
    return o;
  }
  if (name == "keep-id") {
    o.mode = UsernsMode::kKeepId;
  } else if (name == "auto") {
    o.mode = UsernsMode::kAuto;
  } else if (name == "nomap" && !has_options) {
    o.mode = UsernsMode::kNoMap;
    return o;
  } else if (name == "ns" || name == "container" || name == "private") {
    throw Error(Errc::kUnsupported, "--userns=" + userns + " is not supported yet", 0,
                "use host, keep-id, nomap, auto or --uidmap/--gidmap");
  } else {
    throw Error(Errc::kInvalidArgument, "unrecognized namespace mode " + userns + " passed");
  }
  if (has_options) parse_mode_options(userns.substr(colon + 1), o);
  return o;
}

IdMap userns_map(const UsernsOptions& o, const UsernsHost& host) {
  IdMap map;
  if (o.mode == UsernsMode::kHost) return map;
  if (host.root) {
    if (o.mode == UsernsMode::kKeepId)
      throw Error(Errc::kInvalidArgument, "keep-id is only supported in rootless mode");
    if (o.mode == UsernsMode::kNoMap)
      throw Error(Errc::kInvalidArgument, "nomap is only supported in rootless mode");
    if (o.mode == UsernsMode::kAuto)
      throw Error(Errc::kUnsupported, "--userns=auto is not supported as root yet", 0,
                  "give the ranges with --uidmap/--gidmap");
    map.uids = o.uidmap;
    map.gids = o.gidmap;
    return map;
  }
  const uint64_t uids = outer_size(host.outer.uids);
  const uint64_t gids = outer_size(host.outer.gids);
  switch (o.mode) {
    case UsernsMode::kHost:
      break;
    case UsernsMode::kKeepId:
      map.uids = keep_id_ranges(o.keep_uid.value_or(host.uid), uids);
      map.gids = keep_id_ranges(o.keep_gid.value_or(host.gid), gids);
      break;
    case UsernsMode::kNoMap:
      if (uids < 2 || gids < 2)
        throw Error(Errc::kPermission,
                    "--userns=nomap needs subordinate ids, and " +
                        (host.user.empty() ? std::to_string(host.uid) : host.user) + " has none",
                    0, subid_advice(host));
      map.uids = {{0, 1, static_cast<uint32_t>(uids - 1)}};
      map.gids = {{0, 1, static_cast<uint32_t>(gids - 1)}};
      break;
    case UsernsMode::kAuto:
      if (uint64_t{o.auto_size} + 1 > uids || uint64_t{o.auto_size} + 1 > gids)
        throw Error(Errc::kInvalidArgument, "could not find enough available IDs", 0,
                    "--userns=auto:size=" + std::to_string(o.auto_size) +
                        " needs that many of "
                        "your subordinate ids; you have " +
                        std::to_string(std::min(uids, gids) - 1));
      map.uids = {{0, 1, o.auto_size}};
      map.gids = {{0, 1, o.auto_size}};
      break;
    case UsernsMode::kMapped:
      check_within(o.uidmap, uids, "--uidmap", host);
      check_within(o.gidmap, gids, "--gidmap", host);
      map.uids = o.uidmap;
      map.gids = o.gidmap;
      break;
  }
  return map;
}

void apply_userns(const UsernsOptions& o, const UsernsHost& host, bool user_given,
                  runner::Spec& spec) {
  IdMap map = userns_map(o, host);
  if (!map.uids.empty()) spec.id_map = std::move(map);
  if (o.mode != UsernsMode::kKeepId) return;
  const uint32_t uid = o.keep_uid.value_or(host.uid);
  const uint32_t gid = o.keep_gid.value_or(host.gid);
  if (!user_given) spec.user = std::to_string(uid) + ":" + std::to_string(gid);
  // podman's entries: the caller's name and gecos for their own uid, else the number and
  // "container user"; the home is the working directory, or the caller's home when a mount
  // (a -v, a volume) lands on it or on a directory above it, as podman 4.3 decides.
  const bool own_uid = !o.keep_uid && !host.user.empty();
  std::string home = spec.cwd;
  for (std::filesystem::path dir = host.home; !host.home.empty() && dir.has_relative_path();
       dir = dir.parent_path()) {
    const bool mounted = std::any_of(spec.mounts.begin(), spec.mounts.end(), [&](const auto& m) {
      return std::filesystem::path(m.target).lexically_normal() == dir.lexically_normal();
    });
    if (mounted) {
      home = host.home;
      break;
    }
  }
  const std::string name = own_uid ? host.user : std::to_string(uid);
  const std::string gecos = own_uid ? host.gecos : "container user";
  const std::string group = !o.keep_gid && !host.group.empty() ? host.group : std::to_string(gid);
  spec.passwd_entries = {name + ":*:" + std::to_string(uid) + ":" + std::to_string(gid) + ":" +
                         gecos + ":" + home + ":/bin/sh"};
  spec.group_entries = {group + ":x:" + std::to_string(gid) + ":" + name};
}

std::string userns_mode_name(const UsernsOptions& o) {
  switch (o.mode) {
    case UsernsMode::kHost:
      return "";
    default:
      return "private";
  }
}

std::vector<std::string> id_mapping_texts(const std::vector<IdMapping>& ranges) {
  std::vector<std::string> out;
  for (const IdMapping& m : ranges)
    out.push_back(std::to_string(m.inside) + ":" + std::to_string(m.outside) + ":" +
                  std::to_string(m.count));
  return out;
}

}  // namespace dabba::cli
