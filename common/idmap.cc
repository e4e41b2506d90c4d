#include "common/idmap.h"

#include <fcntl.h>
#include <pwd.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "common/error.h"
#include "common/fs.h"
#include "common/subprocess.h"
#include "common/text.h"

namespace dabba {
namespace {

bool maps(const std::vector<IdMapping>& ranges, uint32_t id) {
  for (const auto& r : ranges)
    if (id >= r.inside && static_cast<uint64_t>(id) < static_cast<uint64_t>(r.inside) + r.count)
      return true;
  return false;
}

std::vector<IdMapping> parse_proc_map(const std::string& text) {
  std::vector<IdMapping> out;
  std::istringstream in(text);
  IdMapping m;
  while (in >> m.inside >> m.outside >> m.count) out.push_back(m);
  return out;
}

void write_proc(pid_t pid, const char* file, const std::string& data) {
  std::string path = "/proc/" + std::to_string(pid) + "/" + file;
  UniqueFd fd = open_file(path, O_WRONLY);
  ssize_t n = ::write(fd.get(), data.data(), data.size());
  if (n != static_cast<ssize_t>(data.size())) throw_errno("write " + path);
}

// One newuidmap or newgidmap call, started but not waited for, its stderr captured in a file
// descriptor so both helpers can run at the same time (they take a few ms each).
struct MapHelper {
  const char* name;
  const char* file;
  ChildProcess child;
  UniqueFd err;
};

MapHelper start_map_helper(const char* helper, pid_t pid, const std::vector<IdMapping>& ranges,
                           const char* file) {
  std::vector<std::string> argv = {helper, std::to_string(pid)};
  for (const auto& r : ranges) {
    argv.push_back(std::to_string(r.inside));
    argv.push_back(std::to_string(r.outside));
    argv.push_back(std::to_string(r.count));
  }
  if (find_program(helper).empty())
    throw Error(Errc::kNotFound, std::string(helper) + " is not installed", 0,
                "install the 'uidmap' package (apt-get install uidmap)");
  Pipe err = Pipe::make();
  SpawnOptions options;
  options.stderr_fd = err.write.get();
  options.stdout_fd = err.write.get();
  MapHelper h{helper, file, spawn(argv, options), std::move(err.read)};
  return h;
}

void finish_map_helper(MapHelper& h) {
  std::string msg = read_all(h.err.get());
  ExitStatus status = h.child.wait();
  if (!status.exited() || status.code() != 0) {
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    throw Error(Errc::kPermission,
                std::string(h.name) + " failed (" + status.describe() + ")" +
                    (msg.empty() ? "" : ": " + msg),
                0,
                std::string("check the caller's line in ") + h.file + " and that " + h.name +
                    " is setuid root");
  }
}

}  // namespace

bool IdMap::maps_uid(uint32_t id) const { return maps(uids, id); }
bool IdMap::maps_gid(uint32_t id) const { return maps(gids, id); }

std::string IdMap::describe(const std::vector<IdMapping>& ranges) {
  std::string out;
  for (const auto& r : ranges) {
    if (!out.empty()) out += ",";
    out += std::to_string(r.inside) + "-" +
           std::to_string(static_cast<uint64_t>(r.inside) + r.count - 1);
  }
  return out.empty() ? "(none)" : out;
}

std::string IdMap::proc_lines(const std::vector<IdMapping>& ranges) {
  std::string out;
  for (const auto& r : ranges)
    out += std::to_string(r.inside) + " " + std::to_string(r.outside) + " " +
           std::to_string(r.count) + "\n";
  return out;
}

std::vector<SubIdRange> read_subid_ranges(const std::string& file, const std::string& user,
                                          uint32_t id) {
  std::vector<SubIdRange> out;
  std::string text;
  if (!read_file_if_exists(file, text)) return out;
  const std::string id_text = std::to_string(id);
  for (const std::string& line : split_lines(text)) {
    if (line.empty() || line[0] == '#') continue;
    auto c1 = line.find(':');
    auto c2 = c1 == std::string::npos ? c1 : line.find(':', c1 + 1);
    if (c2 == std::string::npos) continue;
    std::string name = line.substr(0, c1);
    if (name != user && name != id_text) continue;
    try {
      SubIdRange r;
      r.start = static_cast<uint32_t>(std::stoul(line.substr(c1 + 1, c2 - c1 - 1)));
      r.count = static_cast<uint32_t>(std::stoul(line.substr(c2 + 1)));
      if (r.count > 0) out.push_back(r);
    } catch (const std::exception&) {
      // A malformed line is skipped, as shadow's own tools do.
    }
  }
  return out;
}

bool in_initial_user_namespace() {
  std::string text;
  if (!read_file_if_exists("/proc/self/uid_map", text)) return true;
  auto ranges = parse_proc_map(text);
  return ranges.size() == 1 && ranges[0].inside == 0 && ranges[0].outside == 0 &&
         ranges[0].count == 4294967295u;
}

const HostIdentity& host_identity() {
  static const HostIdentity identity = [] {
    HostIdentity who;
    who.uid = ::getuid();
    who.gid = ::getgid();
    if (!in_initial_user_namespace()) {
      // Inside dabba's namespace: the host ids are what our ids map to outside.
      std::string text;
      if (read_file_if_exists("/proc/self/uid_map", text))
        for (const auto& r : parse_proc_map(text))
          if (who.uid >= r.inside && who.uid - r.inside < r.count) {
            who.uid = r.outside + (who.uid - r.inside);
            break;
          }
      if (read_file_if_exists("/proc/self/gid_map", text))
        for (const auto& r : parse_proc_map(text))
          if (who.gid >= r.inside && who.gid - r.inside < r.count) {
            who.gid = r.outside + (who.gid - r.inside);
            break;
          }
    }
    struct passwd pw;
    struct passwd* found = nullptr;
    char buf[4096];
    if (::getpwuid_r(who.uid, &pw, buf, sizeof buf, &found) == 0 && found != nullptr)
      who.user = found->pw_name;
    else
      who.user = std::to_string(who.uid);
    return who;
  }();
  return identity;
}

IdMap default_id_map(const HostIdentity& who, const std::string& subuid_file,
                     const std::string& subgid_file) {
  IdMap map;
  if (who.is_root()) {
    map.uids = {{0, 0, 4294967295u}};
    map.gids = {{0, 0, 4294967295u}};
    return map;
  }
  map.uids = {{0, who.uid, 1}};
  map.gids = {{0, who.gid, 1}};
  auto subuids = read_subid_ranges(subuid_file, who.user, who.uid);
  auto subgids = read_subid_ranges(subgid_file, who.user, who.uid);
  if (subuids.empty() || subgids.empty()) {
    map.deny_setgroups = true;
    return map;
  }
  uint32_t next = 1;
  for (const auto& r : subuids) {
    map.uids.push_back({next, r.start, r.count});
    next += r.count;
  }
  next = 1;
  for (const auto& r : subgids) {
    map.gids.push_back({next, r.start, r.count});
    next += r.count;
  }
  return map;
}

std::string subid_hint(const HostIdentity& who) {
  return "add ranges for " + who.user + " to /etc/subuid and /etc/subgid, e.g. as root: " +
         "usermod --add-subuids 100000-165535 --add-subgids 100000-165535 " + who.user;
}

void write_id_map(pid_t pid, const IdMap& map) {
  const HostIdentity& who = host_identity();
  // Root of the namespace we are in (real root, or rootless dabba in its own, writing a nested
  // one's map) holds CAP_SETUID in the new namespace's parent: it may write any map of our ids.
  bool privileged = ::geteuid() == 0;
  bool single = map.uids.size() == 1 && map.gids.size() == 1 && map.uids[0].count == 1 &&
                map.gids[0].count == 1 && map.uids[0].outside == who.uid &&
                map.gids[0].outside == who.gid;
  if (privileged || single) {
    if (map.deny_setgroups) write_proc(pid, "setgroups", "deny");
    with_context("write uid_map", [&] { write_proc(pid, "uid_map", IdMap::proc_lines(map.uids)); });
    with_context("write gid_map", [&] { write_proc(pid, "gid_map", IdMap::proc_lines(map.gids)); });
    return;
  }
  MapHelper uid_helper = start_map_helper("newuidmap", pid, map.uids, "/etc/subuid");
  MapHelper gid_helper = start_map_helper("newgidmap", pid, map.gids, "/etc/subgid");
  finish_map_helper(uid_helper);
  finish_map_helper(gid_helper);
}

}  // namespace dabba
