#include "runner/mount_plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

namespace dabba::runner {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

Spec spec() {
  Spec s;
  s.id = "c0ffee";
  s.layers = {"/s/layers/top", "/s/layers/base"};
  s.container_dir = "/s/containers/c0ffee";
  s.argv = {"sh"};
  return s;
}

std::vector<std::string> lines(const MountPlan& p) { return p.describe(); }

size_t index_of(const std::vector<std::string>& v, const std::string& prefix) {
  for (size_t i = 0; i < v.size(); ++i)
    if (v[i].rfind(prefix, 0) == 0) return i;
  return v.size();
}

TEST(MountPlan, TheWholeDefaultPlan) {
  MountPlan p = plan_mounts(spec(), MountHost{});
  EXPECT_EQ(p.rootfs, "/s/containers/c0ffee/rootfs");
  EXPECT_EQ(p.upper, "/s/containers/c0ffee/upper");
  EXPECT_EQ(p.work, "/s/containers/c0ffee/work");
  EXPECT_FALSE(p.read_only);
  EXPECT_THAT(
      lines(p),
      ElementsAre("overlay /s/containers/c0ffee/rootfs lower=/s/layers/top:/s/layers/base "
                  "upper=/s/containers/c0ffee/upper work=/s/containers/c0ffee/work",
                  "proc /proc [nosuid,nodev,noexec]", "sysfs /sys [ro,nosuid,nodev,noexec]",
                  "tmpfs /dev mode=755,size=65536k [nosuid,strictatime]",
                  "bind /dev/null /dev/null [nosuid,noexec]",
                  "bind /dev/zero /dev/zero [nosuid,noexec]",
                  "bind /dev/full /dev/full [nosuid,noexec]",
                  "bind /dev/random /dev/random [nosuid,noexec]",
                  "bind /dev/urandom /dev/urandom [nosuid,noexec]",
                  "bind /dev/tty /dev/tty [nosuid,noexec]",
                  "devpts /dev/pts newinstance,ptmxmode=0666,mode=0620,gid=5 [nosuid,noexec]",
                  "symlink /dev/ptmx -> pts/ptmx",
                  "tmpfs /dev/shm mode=1777,size=65536k [nosuid,nodev,noexec]",
                  "mqueue /dev/mqueue [nosuid,nodev,noexec]", "symlink /dev/fd -> /proc/self/fd",
                  "symlink /dev/stdin -> /proc/self/fd/0", "symlink /dev/stdout -> /proc/self/fd/1",
                  "symlink /dev/stderr -> /proc/self/fd/2", "symlink /dev/core -> /proc/kcore",
                  "bind /s/containers/c0ffee/etc/hostname /etc/hostname (optional)",
                  "bind /s/containers/c0ffee/etc/hosts /etc/hosts (optional)",
                  "bind /s/containers/c0ffee/etc/resolv.conf /etc/resolv.conf (optional)",
                  "bind /s/containers/c0ffee/etc/containerenv /run/.containerenv (optional)",
                  "readonly /proc/asound", "readonly /proc/bus", "readonly /proc/fs",
                  "readonly /proc/irq", "readonly /proc/sys", "readonly /proc/sysrq-trigger",
                  "mask /proc/acpi", "mask /proc/kcore", "mask /proc/keys",
                  "mask /proc/latency_stats", "mask /proc/timer_list", "mask /proc/timer_stats",
                  "mask /proc/sched_debug", "mask /proc/scsi", "mask /sys/firmware",
                  "mask /sys/fs/selinux", "mask /sys/dev/block"));
}

TEST(MountPlan, MasksComeLastAndPrivilegedLiftsThem) {
  Spec s = spec();
  s.mounts.push_back(parse_volume("/host/data:/data"));
  s.masked = masked_paths(false, {"/data/secret"}, {"/proc/keys"});
  std::vector<std::string> l = lines(plan_mounts(s, MountHost{}));
  EXPECT_LT(index_of(l, "rbind /host/data /data"), index_of(l, "readonly /proc/sys"));
  EXPECT_LT(index_of(l, "readonly /proc/sys"), index_of(l, "mask /proc/acpi"));
  EXPECT_EQ(l.back(), "mask /data/secret");
  EXPECT_THAT(l, Not(Contains("mask /proc/keys")));

  s = spec();
  s.privileged = true;
  s.masked = masked_paths(true, {}, {});
  MountHost host;
  host.host_devices = {"fuse", "net/tun", "null"};
  l = lines(plan_mounts(s, host));
  EXPECT_THAT(l, Contains("sysfs /sys [nosuid,nodev,noexec]"));
  EXPECT_THAT(l, Contains("bind /dev/fuse /dev/fuse [nosuid,noexec] (optional)"));
  EXPECT_THAT(l, Contains("bind /dev/net/tun /dev/net/tun [nosuid,noexec] (optional)"));
  EXPECT_EQ(std::count(l.begin(), l.end(), "bind /dev/null /dev/null [nosuid,noexec]"), 1);
  EXPECT_EQ(index_of(l, "mask "), l.size());
  EXPECT_EQ(index_of(l, "readonly "), l.size());
  host.own_network_namespace = false;
  EXPECT_THAT(lines(plan_mounts(s, host)), Contains("rbind /sys /sys [nosuid,nodev,noexec]"));
}

TEST(MountPlan, HostDevicesAreListed) {
  std::vector<std::string> devices = list_host_devices();
  EXPECT_THAT(devices, Contains("null"));
  EXPECT_THAT(devices, Not(Contains("ptmx")));
  for (const std::string& d : devices) EXPECT_NE(d.rfind("pts/", 0), 0u) << d;
}

TEST(MountPlan, DevBeforeWhatGoesInsideIt) {
  auto l = lines(plan_mounts(spec(), MountHost{}));
  size_t dev = index_of(l, "tmpfs /dev ");
  EXPECT_LT(dev, index_of(l, "bind /dev/null"));
  EXPECT_LT(dev, index_of(l, "devpts /dev/pts"));
  EXPECT_LT(index_of(l, "devpts /dev/pts"), index_of(l, "symlink /dev/ptmx"));
}

TEST(MountPlan, HostNetworkBindsSysReadOnly) {
  MountHost host;
  host.own_network_namespace = false;
  auto l = lines(plan_mounts(spec(), host));
  EXPECT_THAT(l, Contains("rbind /sys /sys [ro,nosuid,nodev,noexec]"));
  EXPECT_THAT(l, Not(Contains(HasSubstr("sysfs"))));
}

TEST(MountPlan, NoTtyGroupWithoutGid5InTheMap) {
  MountHost host;
  host.tty_gid_mapped = false;
  EXPECT_THAT(lines(plan_mounts(spec(), host)),
              Contains("devpts /dev/pts newinstance,ptmxmode=0666,mode=0620 [nosuid,noexec]"));
}

TEST(MountPlan, ReadOnlyHasNoUpperOnDiskAndTmpfsOnTmpAndRun) {
  Spec s = spec();
  s.read_only = true;
  MountPlan p = plan_mounts(s, MountHost{});
  EXPECT_TRUE(p.read_only);
  EXPECT_EQ(p.upper, "");
  EXPECT_EQ(p.work, "");
  auto l = lines(p);
  EXPECT_THAT(l[0], HasSubstr("upper=tmpfs [ro]"));
  EXPECT_THAT(l, Contains("tmpfs /tmp mode=1777 [nosuid,nodev]"));
  EXPECT_THAT(l, Contains("tmpfs /run mode=755 [nosuid,nodev]"));
}

TEST(MountPlan, UserMountsLastAndParentsFirst) {
  Spec s = spec();
  s.mounts = {parse_volume("/h/x:/data/x:ro"), parse_tmpfs("/scratch:size=1m,exec"),
              parse_volume("/h/data:/data"), parse_volume("/h/f.txt:/etc/app.conf")};
  s.masked = MaskedPaths{{}, {}};  // (they come after the user's mounts: MasksComeLast...)
  auto l = lines(plan_mounts(s, MountHost{}));
  ASSERT_GE(l.size(), 4u);
  EXPECT_THAT(std::vector<std::string>(l.end() - 4, l.end()),
              ElementsAre("tmpfs /scratch size=1m [nosuid,nodev]", "rbind /h/data /data",
                          "rbind /h/x /data/x [ro]", "rbind /h/f.txt /etc/app.conf"));
}

TEST(MountPlan, TmpfsOptionWordsBecomeAttributes) {
  Spec s = spec();
  s.mounts = {parse_tmpfs("/t:ro,noexec,size=5m,suid,dev")};
  s.masked = MaskedPaths{{}, {}};
  EXPECT_EQ(lines(plan_mounts(s, MountHost{})).back(), "tmpfs /t size=5m [ro,noexec]");
}

TEST(MountPlan, VolatileForRmAndForTheReadOnlyTmpfsUpper) {
  Spec s = spec();
  EXPECT_FALSE(plan_mounts(s, MountHost{}).volatile_upper);
  s.volatile_upper = true;
  EXPECT_THAT(lines(plan_mounts(s, MountHost{}))[0], HasSubstr(" volatile"));
  s.volatile_upper = false;
  s.read_only = true;
  EXPECT_TRUE(plan_mounts(s, MountHost{}).volatile_upper);
}

TEST(MountPlan, ApiChoiceIsCarried) {
  Spec s = spec();
  s.mount_api = MountApi::kLegacy;
  EXPECT_EQ(plan_mounts(s, MountHost{}).api, MountApi::kLegacy);
}

}  // namespace
}  // namespace dabba::runner
