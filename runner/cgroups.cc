#include "runner/cgroups.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <thread>

#include "common/error.h"
#include "common/fs.h"
#include "common/idmap.h"
#include "common/log.h"
#include "runner/path.h"

namespace dabba::runner {
namespace {

std::vector<std::string> words(const std::string& s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\n')) ++i;
    size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\n') ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

// One write(2) of the whole value, as cgroup files expect.
int write_value(const std::string& path, const std::string& value) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  UniqueFd owned(fd);
  ssize_t n;
  do {
    n = ::write(fd, value.data(), value.size());
  } while (n < 0 && errno == EINTR);
  return n == static_cast<ssize_t>(value.size()) ? 0 : (n < 0 ? errno : EIO);
}

std::string delegation_hint(bool v2, const std::string& dir) {
  const HostIdentity& who = host_identity();
  std::string parent = dirname_of(dir);
  if (v2)
    return "limits need a delegated cgroup v2 subtree: run dabba under `systemd-run --user --scope "
           "-p Delegate=yes`, or as root: chown -R " +
           who.user + " " + parent + " and run from a process inside it";
  return "limits need a cgroup subtree you own; as root: mkdir " + parent + "/dabba-" + who.user +
         " && chown -R " + who.user + " " + parent + "/dabba-" + who.user +
         " (in each of the memory, pids and cpu hierarchies), then run dabba from a shell moved "
         "into it, or run without --memory/--pids-limit/--cpus";
}

}  // namespace

CgroupHost CgroupHost::discover(const std::string& parent) {
  CgroupHost host;
  host.hierarchies = parse_cgroup_mounts(read_file("/proc/self/mountinfo"));
  host.membership = parse_proc_cgroup(read_file("/proc/self/cgroup"));
  for (auto& h : host.hierarchies) {
    if (!h.v2) continue;
    std::string base = parent;
    if (base.empty())
      for (const auto& m : host.membership)
        if (m.hierarchy_id == 0 && m.controllers.empty()) base = m.path;
    std::string rel = clean_path(base);
    std::string root = clean_path(h.root);
    if (root != "/" && rel.rfind(root, 0) == 0) rel = rel.substr(root.size());
    std::string text;
    if (read_file_if_exists(h.mount_point + (rel == "/" ? "" : rel) + "/cgroup.controllers", text))
      h.controllers = words(text);
  }
  return host;
}

std::unique_ptr<ContainerCgroup> ContainerCgroup::create_for(const CgroupLimits& limits,
                                                             const std::string& name,
                                                             const std::string& parent) {
  if (!limits.any()) return nullptr;
  CgroupHost host = CgroupHost::discover(parent);
  return create(plan_cgroups(limits, name, parent, host.hierarchies, host.membership));
}

std::unique_ptr<ContainerCgroup> ContainerCgroup::create(const CgroupPlan& plan) {
  std::unique_ptr<ContainerCgroup> cg(new ContainerCgroup());
  for (const auto& dir : plan.dirs) {
    std::string parent = dirname_of(dir.path);
    if (dir.v2 && !dir.enable.empty()) {
      std::string control = parent + "/cgroup.subtree_control";
      std::string current;
      read_file_if_exists(control, current);
      auto enabled = words(current);
      std::string add;
      for (const auto& e : dir.enable)
        if (std::find(enabled.begin(), enabled.end(), e.substr(1)) == enabled.end())
          add += (add.empty() ? "" : " ") + e;
      if (!add.empty()) {
        if (int err = write_value(control, add); err != 0) {
          std::string why = err == EBUSY
                                ? ": the cgroup has processes of its own (cgroup v2 allows "
                                  "controllers only for cgroups whose processes live in leaves)"
                                : "";
          throw Error(errc_from_errno(err), "enable " + add + " in " + control + why, err,
                      delegation_hint(true, dir.path));
        }
      }
    }
    if (::mkdir(dir.path.c_str(), 0755) != 0 && errno != EEXIST) {
      int err = errno;
      Error e(errc_from_errno(err), "create cgroup " + dir.path, err);
      if (err == EACCES || err == EPERM || err == EROFS || err == ENOENT)
        e.set_hint(delegation_hint(dir.v2, dir.path));
      throw e;
    }
    cg->dirs_.push_back(dir);
    for (const auto& [file, value] : dir.limits) {
      std::string path = dir.path + "/" + file;
      int err = write_value(path, value);
      if (err == 0) continue;
      bool optional =
          std::find(dir.optional.begin(), dir.optional.end(), file) != dir.optional.end();
      if (optional && (err == ENOENT || err == EACCES)) continue;
      Error e(errc_from_errno(err), "set " + file + "=" + value + " in " + dir.path, err);
      if (err == EACCES || err == EPERM) e.set_hint(delegation_hint(dir.v2, dir.path));
      throw e;
    }
  }
  return cg;
}

void ContainerCgroup::add_process(pid_t pid) {
  for (const auto& dir : dirs_) {
    std::string procs = dir.path + "/cgroup.procs";
    if (int err = write_value(procs, std::to_string(pid)); err != 0)
      throw Error(errc_from_errno(err), "move the container into " + dir.path, err,
                  delegation_hint(dir.v2, dir.path));
  }
}

bool ContainerCgroup::oom_killed() const {
  for (const auto& dir : dirs_) {
    std::string text;
    if (!read_file_if_exists(dir.path + (dir.v2 ? "/memory.events" : "/memory.oom_control"), text))
      continue;
    auto w = words(text);
    for (size_t i = 0; i + 1 < w.size(); ++i)
      if (w[i] == "oom_kill" && w[i + 1] != "0") return true;
  }
  return false;
}

void ContainerCgroup::remove() noexcept {
  std::vector<std::string> paths;
  for (const auto& dir : dirs_) paths.push_back(dir.path);
  remove_cgroup_dirs(paths);
  dirs_.clear();
}

ContainerCgroup::~ContainerCgroup() { remove(); }

void remove_cgroup_dirs(const std::vector<std::string>& dirs) noexcept {
  for (auto it = dirs.rbegin(); it != dirs.rend(); ++it) {
    // The last task of a cgroup can take a moment to be released after its parent reaped it.
    for (int attempt = 0;; ++attempt) {
      if (::rmdir(it->c_str()) == 0 || errno == ENOENT) break;
      if (errno != EBUSY || attempt >= 50) {
        log_warn("cannot remove cgroup " + *it + ": " + std::strerror(errno));
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
}

void join_cgroups(const std::vector<std::string>& dirs, pid_t pid) {
  for (const auto& dir : dirs) {
    std::string procs = dir + "/cgroup.procs";
    if (int err = write_value(procs, std::to_string(pid)); err != 0)
      throw Error(errc_from_errno(err), "join the container's cgroup " + dir, err);
  }
}

}  // namespace dabba::runner
