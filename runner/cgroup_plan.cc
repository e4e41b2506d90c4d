#include "runner/cgroup_plan.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"
#include "common/text.h"
#include "runner/path.h"

namespace dabba::runner {
namespace {

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      int v = (s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0');
      out += static_cast<char>(v);
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

struct Need {
  std::string controller;
  std::vector<std::pair<std::string, std::string>> v1;
  std::vector<std::pair<std::string, std::string>> v2;
  std::vector<std::string> optional;
};

}  // namespace

bool CgroupPlan::any_v1() const {
  return std::any_of(dirs.begin(), dirs.end(), [](const CgroupDir& d) { return !d.v2; });
}

std::vector<CgroupHierarchy> parse_cgroup_mounts(std::string_view mountinfo) {
  std::vector<CgroupHierarchy> out;
  for (const std::string& line : split_lines(mountinfo)) {
    // id parent maj:min root mount_point options [optional...] - fstype source super_options
    auto dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    auto left = split(std::string_view(line).substr(0, dash), ' ');
    auto right = split(std::string_view(line).substr(dash + 3), ' ');
    if (left.size() < 5 || right.size() < 3) continue;
    const std::string& fstype = right[0];
    if (fstype != "cgroup" && fstype != "cgroup2") continue;
    CgroupHierarchy h;
    h.v2 = fstype == "cgroup2";
    h.root = unescape(left[3]);
    h.mount_point = unescape(left[4]);
    if (!h.v2)
      for (const auto& opt : split(right[2], ','))
        if (opt != "rw" && opt != "ro" && opt.find('=') == std::string::npos && opt != "noprefix" &&
            opt != "clone_children" && opt != "xattr" && opt != "cpuset_v2_mode" &&
            opt != "favordynmods")
          h.controllers.push_back(opt);
    // The same hierarchy can be mounted twice; the first mount is enough.
    bool dup = std::any_of(out.begin(), out.end(), [&](const CgroupHierarchy& o) {
      return o.v2 == h.v2 && o.controllers == h.controllers && (h.v2 || !h.controllers.empty());
    });
    if (!dup && (h.v2 || !h.controllers.empty())) out.push_back(std::move(h));
  }
  return out;
}

std::vector<CgroupMembership> parse_proc_cgroup(std::string_view text) {
  std::vector<CgroupMembership> out;
  for (const std::string& line : split_lines(text)) {
    auto c1 = line.find(':');
    auto c2 = c1 == std::string::npos ? c1 : line.find(':', c1 + 1);
    if (c2 == std::string::npos) continue;
    CgroupMembership m;
    try {
      m.hierarchy_id = std::stoi(line.substr(0, c1));
    } catch (const std::exception&) {
      continue;
    }
    std::string controllers = line.substr(c1 + 1, c2 - c1 - 1);
    if (!controllers.empty()) m.controllers = split(controllers, ',');
    m.path = line.substr(c2 + 1);
    out.push_back(std::move(m));
  }
  return out;
}

CgroupPlan plan_cgroups(const CgroupLimits& limits, const std::string& name,
                        const std::string& parent, const std::vector<CgroupHierarchy>& hierarchies,
                        const std::vector<CgroupMembership>& membership) {
  CgroupPlan plan;
  if (!limits.any()) return plan;

  std::vector<Need> needs;
  if (limits.memory_bytes) {
    std::string bytes = std::to_string(*limits.memory_bytes);
    // Memory + swap capped at the same figure: --memory is what the container can use in all.
    needs.push_back({"memory",
                     {{"memory.limit_in_bytes", bytes}, {"memory.memsw.limit_in_bytes", bytes}},
                     {{"memory.max", bytes}, {"memory.swap.max", "0"}},
                     {"memory.memsw.limit_in_bytes", "memory.swap.max"}});
  }
  if (limits.pids_max) {
    std::string n = std::to_string(*limits.pids_max);
    needs.push_back({"pids", {{"pids.max", n}}, {{"pids.max", n}}, {}});
  }
  if (limits.cpus) {
    constexpr long kPeriod = 100000;
    long quota = std::max(1000L, std::lround(*limits.cpus * kPeriod));
    needs.push_back({"cpu",
                     {{"cpu.cfs_period_us", std::to_string(kPeriod)},
                      {"cpu.cfs_quota_us", std::to_string(quota)}},
                     {{"cpu.max", std::to_string(quota) + " " + std::to_string(kPeriod)}},
                     {}});
  }

  auto own_path = [&](const CgroupHierarchy& h) -> std::string {
    for (const auto& m : membership) {
      if (h.v2 ? (m.hierarchy_id == 0 && m.controllers.empty())
               : (!m.controllers.empty() && m.controllers == h.controllers))
        return m.path;
    }
    throw Error(Errc::kNotFound, "this process is in no cgroup of the hierarchy at " +
                                     h.mount_point + " (/proc/self/cgroup has no line for it)");
  };
  auto dir_for = [&](const CgroupHierarchy& h) -> std::string {
    std::string base = parent.empty() ? own_path(h) : parent;
    base = clean_path(base);
    std::string root = clean_path(h.root);
    std::string rel;
    if (root == "/") {
      rel = base;
    } else if (base == root || base.rfind(root + "/", 0) == 0) {
      rel = base.substr(root.size());
    } else {
      throw Error(Errc::kUnsupported, "cgroup " + base + " is not visible under " + h.mount_point +
                                          " (which shows " + root + ")");
    }
    std::string dir = h.mount_point;
    if (rel != "/" && !rel.empty()) dir += rel;
    return dir + "/" + name;
  };

  for (const auto& need : needs) {
    const CgroupHierarchy* v1 = nullptr;
    const CgroupHierarchy* v2 = nullptr;
    for (const auto& h : hierarchies) {
      if (!contains(h.controllers, need.controller)) continue;
      if (h.v2)
        v2 = v2 ? v2 : &h;
      else
        v1 = v1 ? v1 : &h;
    }
    const CgroupHierarchy* h = v1 ? v1 : v2;
    if (h == nullptr)
      throw Error(Errc::kUnsupported,
                  "the cgroup controller '" + need.controller + "' is not available", 0,
                  "limits need the controller mounted as cgroup v1 or enabled for your cgroup in "
                  "cgroup v2 (cgroup.controllers of your cgroup)");
    std::string path = dir_for(*h);
    auto it = std::find_if(plan.dirs.begin(), plan.dirs.end(),
                           [&](const CgroupDir& d) { return d.path == path; });
    if (it == plan.dirs.end()) {
      plan.dirs.push_back(CgroupDir{h->v2, path, {}, {}, {}});
      it = plan.dirs.end() - 1;
    }
    const auto& files = h->v2 ? need.v2 : need.v1;
    it->limits.insert(it->limits.end(), files.begin(), files.end());
    for (const auto& o : need.optional)
      for (const auto& f : files)
        if (f.first == o) it->optional.push_back(o);
    if (h->v2) it->enable.push_back("+" + need.controller);
  }
  return plan;
}

}  // namespace dabba::runner
