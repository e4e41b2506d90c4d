#include "runner/cgroup_plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/error.h"

namespace dabba::runner {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

// This machine's shape: v1 controllers under /sys/fs/cgroup/<ctrl>, an empty cgroup2 beside.
constexpr const char* kHybridMountinfo =
    "22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
    "30 25 0:26 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "31 30 0:27 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "32 30 0:28 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
    "33 30 0:29 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "34 30 0:30 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
    "35 30 0:31 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n"
    "36 30 0:32 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
constexpr const char* kHybridCgroup =
    "9:name=systemd:/\n"
    "8:pids:/\n"
    "4:memory:/process_api/9bb2\n"
    "2:cpuacct:/\n"
    "1:cpu:/\n"
    "0::/\n";

// A systemd host with cgroup v2 only; the caller's cgroup delegates memory and pids.
constexpr const char* kV2Mountinfo =
    "30 25 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 "
    "rw,nsdelegate,memory_recursiveprot\n";
constexpr const char* kV2Cgroup = "0::/user.slice/user-1000.slice/user@1000.service/app.slice\n";

CgroupLimits all_limits() {
  CgroupLimits l;
  l.memory_bytes = 64 << 20;
  l.pids_max = 100;
  l.cpus = 1.5;
  return l;
}

TEST(ParseCgroupMounts, HybridHost) {
  auto h = parse_cgroup_mounts(kHybridMountinfo);
  ASSERT_EQ(h.size(), 5u);  // cpu, cpuacct, memory, pids, unified (name=systemd has no controller)
  EXPECT_EQ(h[0].mount_point, "/sys/fs/cgroup/cpu");
  EXPECT_THAT(h[0].controllers, ElementsAre("cpu"));
  EXPECT_FALSE(h[0].v2);
  EXPECT_EQ(h[4].mount_point, "/sys/fs/cgroup/unified");
  EXPECT_TRUE(h[4].v2);
}

TEST(ParseCgroupMounts, CoMountedAndEscaped) {
  auto h = parse_cgroup_mounts(
      "40 30 0:40 /sub /mnt/my\\040cg rw - cgroup cgroup rw,cpu,cpuacct,clone_children\n");
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].mount_point, "/mnt/my cg");
  EXPECT_EQ(h[0].root, "/sub");
  EXPECT_THAT(h[0].controllers, ElementsAre("cpu", "cpuacct"));
}

TEST(ParseProcCgroup, Lines) {
  auto m = parse_proc_cgroup(kHybridCgroup);
  ASSERT_EQ(m.size(), 6u);
  EXPECT_THAT(m[0].controllers, ElementsAre("name=systemd"));
  EXPECT_EQ(m[2].path, "/process_api/9bb2");
  EXPECT_EQ(m[5].hierarchy_id, 0);
  EXPECT_THAT(m[5].controllers, IsEmpty());
}

TEST(PlanCgroups, NoLimitsNoWork) {
  EXPECT_THAT(plan_cgroups({}, "dabba-x", "", parse_cgroup_mounts(kHybridMountinfo),
                           parse_proc_cgroup(kHybridCgroup))
                  .dirs,
              IsEmpty());
}

TEST(PlanCgroups, V1UnderTheCallersOwnCgroups) {
  CgroupPlan p = plan_cgroups(all_limits(), "dabba-x", "", parse_cgroup_mounts(kHybridMountinfo),
                              parse_proc_cgroup(kHybridCgroup));
  ASSERT_EQ(p.dirs.size(), 3u);
  EXPECT_TRUE(p.any_v1());
  EXPECT_EQ(p.dirs[0].path, "/sys/fs/cgroup/memory/process_api/9bb2/dabba-x");
  EXPECT_THAT(p.dirs[0].limits, ElementsAre(Pair("memory.limit_in_bytes", "67108864"),
                                            Pair("memory.memsw.limit_in_bytes", "67108864")));
  EXPECT_THAT(p.dirs[0].optional, ElementsAre("memory.memsw.limit_in_bytes"));
  EXPECT_EQ(p.dirs[1].path, "/sys/fs/cgroup/pids/dabba-x");
  EXPECT_THAT(p.dirs[1].limits, ElementsAre(Pair("pids.max", "100")));
  EXPECT_EQ(p.dirs[2].path, "/sys/fs/cgroup/cpu/dabba-x");
  EXPECT_THAT(p.dirs[2].limits,
              ElementsAre(Pair("cpu.cfs_period_us", "100000"), Pair("cpu.cfs_quota_us", "150000")));
  for (const auto& d : p.dirs) EXPECT_THAT(d.enable, IsEmpty());
}

TEST(PlanCgroups, V1WithAnAbsoluteParent) {
  CgroupLimits l;
  l.pids_max = 5;
  CgroupPlan p = plan_cgroups(l, "dabba-x", "/dabba/alice", parse_cgroup_mounts(kHybridMountinfo),
                              parse_proc_cgroup(kHybridCgroup));
  ASSERT_EQ(p.dirs.size(), 1u);
  EXPECT_EQ(p.dirs[0].path, "/sys/fs/cgroup/pids/dabba/alice/dabba-x");
}

TEST(PlanCgroups, V1PreferredOverAnEmptyUnifiedHierarchy) {
  auto h = parse_cgroup_mounts(kHybridMountinfo);
  h.back().controllers = {"memory"};  // even if v2 offered it, the v1 binding wins
  CgroupLimits l;
  l.memory_bytes = 8 << 20;
  CgroupPlan p = plan_cgroups(l, "c", "", h, parse_proc_cgroup(kHybridCgroup));
  ASSERT_EQ(p.dirs.size(), 1u);
  EXPECT_FALSE(p.dirs[0].v2);
}

TEST(PlanCgroups, V2OneCgroupWithControllersEnabledInTheParent) {
  auto h = parse_cgroup_mounts(kV2Mountinfo);
  ASSERT_EQ(h.size(), 1u);
  h[0].controllers = {"cpu", "memory", "pids"};
  CgroupPlan p = plan_cgroups(all_limits(), "dabba-x", "", h, parse_proc_cgroup(kV2Cgroup));
  ASSERT_EQ(p.dirs.size(), 1u);
  const CgroupDir& d = p.dirs[0];
  EXPECT_TRUE(d.v2);
  EXPECT_FALSE(p.any_v1());
  EXPECT_EQ(d.path,
            "/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/app.slice/dabba-x");
  EXPECT_THAT(d.enable, ElementsAre("+memory", "+pids", "+cpu"));
  EXPECT_THAT(d.limits, ElementsAre(Pair("memory.max", "67108864"), Pair("memory.swap.max", "0"),
                                    Pair("pids.max", "100"), Pair("cpu.max", "150000 100000")));
  EXPECT_THAT(d.optional, ElementsAre("memory.swap.max"));
}

TEST(PlanCgroups, MissingControllerIsAClearError) {
  auto h = parse_cgroup_mounts(kV2Mountinfo);
  h[0].controllers = {"pids"};
  try {
    plan_cgroups(all_limits(), "c", "", h, parse_proc_cgroup(kV2Cgroup));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::kUnsupported);
    EXPECT_THAT(e.what(), ::testing::HasSubstr("'memory'"));
    EXPECT_FALSE(e.hint().empty());
  }
}

TEST(PlanCgroups, MountShowingASubtree) {
  // Inside a cgroup namespace-less container: the mount shows /machine/c1, we are in a child.
  auto h = parse_cgroup_mounts("50 40 0:50 /machine/c1 /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
  h[0].controllers = {"pids"};
  CgroupLimits l;
  l.pids_max = 3;
  CgroupPlan p = plan_cgroups(l, "d", "", h, parse_proc_cgroup("0::/machine/c1/inner\n"));
  EXPECT_EQ(p.dirs[0].path, "/sys/fs/cgroup/inner/d");
  EXPECT_THROW(plan_cgroups(l, "d", "", h, parse_proc_cgroup("0::/elsewhere\n")), Error);
}

}  // namespace
}  // namespace dabba::runner
