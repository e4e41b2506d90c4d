// dabba top CONTAINER [DESCRIPTORS...]: the container's processes, as podman's top shows them
// (its ps(1)-like table from /proc; podman's default: user pid ppid pcpu etime tty time args).
// Descriptors: podman's names or AIX %-codes, as separate arguments or comma-separated. The
// processes are the ones in the container's PID namespace (compared by /proc/N/ns/pid), so those
// of `exec` count too; PIDs are as the container sees them (the last NSpid), users and groups are
// names from the container's /etc/passwd and /etc/group. Runs in dabba's user namespace, which
// owns the container's, so /proc of its processes is readable.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <optional>
#include <ctime>
#include <map>
#include <memory>
#include <sstream>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/container_root.h"
#include "cli/containers.h"
#include "cli/tab_writer.h"
#include "cli/with_store.h"
#include "common/dir_stream.h"
#include "common/error.h"
#include "common/idmap.h"
#include "common/userns.h"
#include "common/fs.h"

namespace dabba::cli {
namespace {

struct Proc {
  pid_t host_pid = 0;
  pid_t pid = 0, ppid = 0, pgid = 0;  // as the container sees them
  uid_t uid = 0, ruid = 0;
  gid_t gid = 0, rgid = 0;
  uid_t host_uid = 0;
  gid_t host_gid = 0;
  char state = '?';
  int tty_nr = 0;
  long nice = 0;
  uint64_t utime = 0, stime = 0, start = 0, vsize = 0;  // ticks, ticks, ticks after boot, bytes
  std::string comm, args, seccomp;
};

std::vector<std::string> fields_of(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> f;
  for (std::string w; in >> w;) f.push_back(w);
  return f;
}

std::optional<Proc> read_proc(pid_t pid) {
  Proc p;
  p.host_pid = pid;
  std::string dir = "/proc/" + std::to_string(pid);
  std::string stat, status, cmdline;
  if (!read_file_if_exists(dir + "/stat", stat) || !read_file_if_exists(dir + "/status", status))
    return std::nullopt;
  read_file_if_exists(dir + "/cmdline", cmdline);
  auto open = stat.find('('), close = stat.rfind(')');
  if (open == std::string::npos || close == std::string::npos) return std::nullopt;
  p.comm = stat.substr(open + 1, close - open - 1);
  auto f = fields_of(stat.substr(close + 1));  // f[0] is field 3 (state)
  if (f.size() < 21) return std::nullopt;
  p.state = f[0][0];
  p.tty_nr = std::stoi(f[4]);
  p.utime = std::stoull(f[11]);
  p.stime = std::stoull(f[12]);
  p.nice = std::stol(f[16]);
  p.start = std::stoull(f[19]);
  p.vsize = std::stoull(f[20]);
  std::istringstream lines(status);
  for (std::string line; std::getline(lines, line);) {
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string key = line.substr(0, colon);
    auto v = fields_of(line.substr(colon + 1));
    if (v.empty()) continue;
    if (key == "Uid" && v.size() >= 2) p.ruid = std::stoul(v[0]), p.uid = std::stoul(v[1]);
    if (key == "Gid" && v.size() >= 2) p.rgid = std::stoul(v[0]), p.gid = std::stoul(v[1]);
    if (key == "NSpid") p.pid = std::stoi(v.back());
    if (key == "NSpgid") p.pgid = std::stoi(v.back());
    if (key == "PPid") p.ppid = std::stoi(v[0]);
    if (key == "Seccomp") p.seccomp = v[0] == "0" ? "disabled" : v[0] == "1" ? "strict" : "filter";
  }
  for (char& c : cmdline)
    if (c == '\0') c = ' ';
  while (!cmdline.empty() && cmdline.back() == ' ') cmdline.pop_back();
  p.args = cmdline.empty() ? "[" + p.comm + "]" : cmdline;
  return p;
}

// Go's time.Duration.String(): "2h5m38.737137571s", "3.5s", "0s".
std::string go_duration(double seconds) {
  if (seconds <= 0) return "0s";
  auto total = static_cast<int64_t>(seconds * 1e9);
  int64_t h = total / 3600000000000LL, m = total / 60000000000LL % 60;
  double s = static_cast<double>(total % 60000000000LL) / 1e9;
  char sec[64];
  std::snprintf(sec, sizeof sec, "%.9f", s);
  std::string ss = sec;
  while (ss.back() == '0') ss.pop_back();
  if (ss.back() == '.') ss.pop_back();
  std::string out;
  if (h > 0) out += std::to_string(h) + "h";
  if (h > 0 || m > 0) out += std::to_string(m) + "m";
  return out + ss + "s";
}

std::string tty_name(int tty_nr) {
  if (tty_nr == 0) return "?";
  unsigned major = (static_cast<unsigned>(tty_nr) >> 8) & 0xfff;
  unsigned minor = (static_cast<unsigned>(tty_nr) & 0xff) | ((static_cast<unsigned>(tty_nr) >> 12) & 0xfff00);
  if (major >= 136 && major <= 143) return "pts/" + std::to_string((major - 136) * 256 + minor);
  if (major == 4) return "tty" + std::to_string(minor);
  return "?";
}

// Name by id from the container's passwd or group file ("name:x:id:..."), opened inside its root.
std::map<unsigned, std::string> id_names(const ContainerRoot& root, const char* file) {
  std::map<unsigned, std::string> out;
  UniqueFd fd = root.open(file, O_RDONLY | O_NOFOLLOW);
  if (!fd.valid()) return out;
  std::istringstream lines(read_all(fd.get()));
  for (std::string line; std::getline(lines, line);) {
    auto a = line.find(':'), b = line.find(':', a + 1), c = line.find(':', b + 1);
    if (a == std::string::npos || b == std::string::npos || c == std::string::npos) continue;
    try {
      out.emplace(static_cast<unsigned>(std::stoul(line.substr(b + 1, c - b - 1))), line.substr(0, a));
    } catch (...) {
    }
  }
  return out;
}

struct Descriptor {
  std::string header;
  std::function<std::string(const Proc&)> value;
};

std::string name_or_id(const std::map<unsigned, std::string>& names, unsigned id) {
  auto it = names.find(id);
  return it == names.end() ? std::to_string(id) : it->second;
}

struct Context {
  std::map<unsigned, std::string> users, groups;
  double now_since_boot = 0;  // seconds
  double ticks = 100;
};

// podman's descriptors (and the AIX codes ps(1) knows) -> header and value.
std::optional<Descriptor> descriptor(const std::string& name, const Context& cx) {
  auto elapsed = [&cx](const Proc& p) {
    return cx.now_since_boot - static_cast<double>(p.start) / cx.ticks;
  };
  auto cpu = [&cx](const Proc& p) { return static_cast<double>(p.utime + p.stime) / cx.ticks; };
  static const std::map<std::string, std::string> aix = {
      {"%C", "pcpu"}, {"%G", "group"},  {"%P", "ppid"}, {"%U", "user"}, {"%a", "args"},
      {"%c", "comm"}, {"%g", "rgroup"}, {"%n", "nice"}, {"%p", "pid"},  {"%r", "pgid"},
      {"%t", "etime"}, {"%u", "ruser"}, {"%x", "time"}, {"%y", "tty"},  {"%z", "vsz"}};
  std::string n = aix.count(name) ? aix.at(name) : name;
  const Context* c = &cx;
  if (n == "user") return Descriptor{"USER", [c](const Proc& p) { return name_or_id(c->users, p.uid); }};
  if (n == "ruser") return Descriptor{"RUSER", [c](const Proc& p) { return name_or_id(c->users, p.ruid); }};
  if (n == "group") return Descriptor{"GROUP", [c](const Proc& p) { return name_or_id(c->groups, p.gid); }};
  if (n == "rgroup") return Descriptor{"RGROUP", [c](const Proc& p) { return name_or_id(c->groups, p.rgid); }};
  if (n == "pid") return Descriptor{"PID", [](const Proc& p) { return std::to_string(p.pid); }};
  if (n == "ppid") return Descriptor{"PPID", [](const Proc& p) { return std::to_string(p.ppid); }};
  if (n == "pgid") return Descriptor{"PGID", [](const Proc& p) { return std::to_string(p.pgid); }};
  if (n == "hpid") return Descriptor{"HPID", [](const Proc& p) { return std::to_string(p.host_pid); }};
  if (n == "huser") return Descriptor{"HUSER", [](const Proc& p) { return std::to_string(p.host_uid); }};
  if (n == "hgroup") return Descriptor{"HGROUP", [](const Proc& p) { return std::to_string(p.host_gid); }};
  if (n == "nice") return Descriptor{"NI", [](const Proc& p) { return std::to_string(p.nice); }};
  if (n == "comm") return Descriptor{"COMMAND", [](const Proc& p) { return p.comm; }};
  if (n == "args") return Descriptor{"COMMAND", [](const Proc& p) { return p.args; }};
  if (n == "tty") return Descriptor{"TTY", [](const Proc& p) { return tty_name(p.tty_nr); }};
  if (n == "state") return Descriptor{"STATE", [](const Proc& p) { return std::string(1, p.state); }};
  if (n == "seccomp") return Descriptor{"SECCOMP", [](const Proc& p) { return p.seccomp; }};
  if (n == "vsz") return Descriptor{"VSZ", [](const Proc& p) { return std::to_string(p.vsize / 1024); }};
  if (n == "etime") return Descriptor{"ELAPSED", [=](const Proc& p) { return go_duration(elapsed(p)); }};
  if (n == "time") return Descriptor{"TIME", [=](const Proc& p) { return go_duration(static_cast<double>(static_cast<int64_t>(cpu(p)))); }};
  if (n == "pcpu")
    return Descriptor{"%CPU", [=](const Proc& p) {
                        double e = elapsed(p);
                        char b[32];
                        std::snprintf(b, sizeof b, "%.3f", e > 0 ? 100.0 * cpu(p) / e : 0.0);
                        return std::string(b);
                      }};
  return std::nullopt;
}

std::string ns_of(pid_t pid) {
  char buf[64];
  std::string path = "/proc/" + std::to_string(pid) + "/ns/pid";
  ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

}  // namespace

Command add_top(CLI::App& parent) {
  struct Args {
    bool latest = false;
    std::vector<std::string> words;  // CONTAINER [DESCRIPTORS...]
  };
  auto args = std::make_shared<Args>();
  Command cmd = podman_verb(parent, "top", "Show the processes of a running container",
                            Needs::kUserNamespace);
  cmd.app->add_flag("-l,--latest", args->latest, "the container created last");
  cmd.app->add_option("container", args->words, "CONTAINER [DESCRIPTORS...]");
  cmd.run = with_store([args](Store& store) {
    if (!args->latest && args->words.empty())
      throw Error(Errc::kInvalidArgument, "give a container, or --latest");
    // With --latest every word is a descriptor.
    if (args->latest) args->words.insert(args->words.begin(), "");
    ContainerView view = view_container(
        store, args->latest ? latest_container(store) : find_container(store, args->words[0]));
    if (!view.running || !view.state)
      throw Error(Errc::kConflict, "top can only be used on running containers", 0,
                  "start it first (container " + view.record.name + " is not running)");
    pid_t pid1 = view.state->pid;
    Context cx;
    cx.ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
    struct timespec ts;
    ::clock_gettime(CLOCK_BOOTTIME, &ts);
    cx.now_since_boot = static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
    ContainerRoot root = ContainerRoot::of_process(pid1);
    cx.users = id_names(root, "/etc/passwd");
    cx.groups = id_names(root, "/etc/group");
    std::vector<std::string> names;
    for (size_t i = 1; i < args->words.size(); ++i) {
      std::string w = args->words[i];
      for (size_t s = 0; s <= w.size();) {
        auto comma = w.find(',', s);
        std::string d = w.substr(s, comma - s);
        if (!d.empty()) names.push_back(d);
        if (comma == std::string::npos) break;
        s = comma + 1;
      }
    }
    if (names.empty()) names = {"user", "pid", "ppid", "pcpu", "etime", "tty", "time", "args"};
    std::vector<Descriptor> cols;
    for (const auto& n : names) {
      auto d = descriptor(n, cx);
      if (!d)
        throw Error(Errc::kInvalidArgument, "unknown descriptor: " + n, 0,
                    "descriptors: user pid ppid pcpu etime tty time args comm group nice pgid "
                    "ruser rgroup state seccomp vsz hpid huser hgroup, or AIX codes (%p, %U, ...)");
      cols.push_back(std::move(*d));
    }
    std::string ns = ns_of(pid1);
    if (ns.empty()) throw_errno("read the PID namespace of container " + view.record.name);
    std::vector<Proc> procs;
    // huser/hgroup are the host's ids: ours (dabba's namespace) through its map.
    const IdMap outer = in_initial_user_namespace() ? IdMap{} : current_id_map();
    auto to_host = [](const std::vector<IdMapping>& ranges, uint32_t id) {
      for (const IdMapping& r : ranges)
        if (id >= r.inside && id - r.inside < r.count) return r.outside + (id - r.inside);
      return id;
    };
    auto dir = DirStream::open("/proc");
    while (const struct dirent* e = dir.next()) {
      char* end = nullptr;
      long pid = std::strtol(e->d_name, &end, 10);
      if (*end != '\0' || pid <= 0 || ns_of(static_cast<pid_t>(pid)) != ns) continue;
      if (auto p = read_proc(static_cast<pid_t>(pid))) {
        struct stat st;
        if (::stat(("/proc/" + std::string(e->d_name)).c_str(), &st) == 0)
          p->host_uid = to_host(outer.uids, st.st_uid), p->host_gid = to_host(outer.gids, st.st_gid);
        procs.push_back(std::move(*p));
      }
    }
    // PPid is the parent as we see it: the container's number for it, 0 when the parent is not in
    // the container (PID 1's, an exec'd process's).
    std::map<pid_t, pid_t> in_container;
    for (const auto& p : procs) in_container[p.host_pid] = p.pid;
    for (auto& p : procs) {
      auto it = in_container.find(p.ppid);
      p.ppid = it == in_container.end() ? 0 : it->second;
    }
    std::sort(procs.begin(), procs.end(), [](const Proc& a, const Proc& b) { return a.pid < b.pid; });
    std::string text;
    for (size_t i = 0; i < cols.size(); ++i)
      text += cols[i].header + (i + 1 < cols.size() ? "\t" : "\n");
    for (const auto& p : procs)
      for (size_t i = 0; i < cols.size(); ++i)
        text += cols[i].value(p) + (i + 1 < cols.size() ? "\t" : "\n");
    std::fputs(tab_align(text).c_str(), stdout);
    return kExitOk;
  });
  return cmd;
}

}  // namespace dabba::cli
