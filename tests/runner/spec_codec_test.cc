#include "runner/spec_codec.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "common/fs.h"

namespace dabba::runner {
namespace {

// Every field away from its default, so a field the codec forgets shows up as a difference.
Spec full_spec() {
  Spec s;
  s.id = std::string(64, 'a');
  s.hostname = "web";
  s.layers = {"/store/layers/2", "/store/layers/1"};
  s.container_dir = "/store/containers/aaa";
  s.read_only = true;
  MountSpec bind;
  bind.source = "/srv";
  bind.target = "/data";
  bind.read_only = true;
  bind.volume = "named";
  MountSpec tmpfs;
  tmpfs.kind = MountSpec::Kind::kTmpfs;
  tmpfs.target = "/scratch";
  tmpfs.tmpfs_options = "size=1m";
  s.mounts = {bind, tmpfs};
  s.etc = {"web\n", "127.0.0.1 localhost\n", "nameserver 10.0.2.3\n", "engine=\"x\"\n",
           std::string("TZif2\0\x80\xff", 8)};  // zoneinfo is binary
  s.volatile_upper = true;
  s.mount_api = MountApi::kLegacy;
  s.shm_size = 1 << 20;
  s.argv = {"sh", "-c", "echo \"hi\""};
  s.env = {"A=1", "PATH=/bin"};
  s.cwd = "/work";
  s.create_cwd = false;
  s.user = "1000:1000";
  s.group_add = {"wheel", "10"};
  s.ulimits = {{"nofile", 100, 200}, {"core", kUnlimited, kUnlimited}};
  s.ulimit_host = true;
  s.oom_score_adj = 250;
  s.devices = {{"/dev/zero", "/dev/myzero", "r"}};
  s.sysctls = {{"kernel.shmmax", "12345"}};
  s.tty = true;
  s.stdin_open = true;
  s.init = true;
  s.pidfile = "/tmp/pid";
  s.attach_stdout = false;
  s.attach_stderr = false;
  s.log.driver = LogDriver::kNone;
  s.log.path = "/tmp/log";
  s.log.max_size = 4096;
  s.timeout_seconds = 9;
  s.restart = parse_restart_policy("on-failure:3");
  s.capabilities = 0x1234;
  s.seccomp = false;
  s.seccomp_profile = "{}";
  s.masked.masked = {"/proc/kcore"};
  s.masked.readonly = {};
  s.privileged = true;
  s.network.mode = NetworkMode::kSlirp4netns;
  s.network.options = "mtu=1500";
  s.network.slirp.mtu = 1500;
  s.network.slirp.allow_host_loopback = true;
  s.network.slirp.cidr = "10.1.0.0/24";
  s.network.slirp.enable_ipv6 = true;
  s.network.slirp.outbound_addr = "127.0.0.1";
  s.network.slirp.outbound_addr6 = "::1";
  s.network.container_dir = "/store/containers/0123";
  s.owner_pidfile = "/run/user/1000/x.conmon.pid";
  s.host_uts = true;
  s.host_ipc = true;
  s.network.ports = {{"127.0.0.1", 8080, 80, PortProtocol::kTcp}, {"", 0, 53, PortProtocol::kUdp}};
  s.network.dns = {"1.1.1.1"};
  s.network.extra_hosts = {{"db", "10.0.0.5"}};
  s.network.dns_search = {"example.com"};
  s.network.dns_options = {"ndots:2"};
  s.limits.memory_bytes = 1 << 30;
  s.limits.pids_max = 100;
  s.limits.cpus = 1.5;
  s.cgroup_parent = "/dabba";
  s.id_map.uids = {{0, 1000, 1}, {1, 100000, 65536}};
  s.id_map.gids = {{0, 1000, 1}};
  s.id_map.deny_setgroups = true;
  return s;
}

TEST(SpecCodec, EveryFieldRoundTrips) {
  const Spec s = full_spec();
  const std::string text = encode_spec(s);
  const Spec back = decode_spec(text);
  EXPECT_EQ(encode_spec(back), text);
  EXPECT_EQ(back.mounts, s.mounts);
  EXPECT_EQ(back.network.ports, s.network.ports);
  EXPECT_EQ(back.network.slirp, s.network.slirp);
  EXPECT_EQ(back.network.extra_hosts, s.network.extra_hosts);
  EXPECT_EQ(back.network.container_dir, s.network.container_dir);
  EXPECT_EQ(back.id_map, s.id_map);
  EXPECT_EQ(back.masked, s.masked);
  EXPECT_EQ(back.argv, s.argv);
  EXPECT_EQ(back.log.max_size, s.log.max_size);
  EXPECT_EQ(back.limits.cpus, s.limits.cpus);
  EXPECT_EQ(back.etc.localtime, std::string("TZif2\0\x80\xff", 8));
  EXPECT_EQ(back.mount_api, MountApi::kLegacy);
  EXPECT_EQ(back.network.mode, NetworkMode::kSlirp4netns);
  EXPECT_FALSE(back.create_cwd);
  EXPECT_EQ(back.group_add, s.group_add);
  EXPECT_EQ(back.ulimits, s.ulimits);
  EXPECT_TRUE(back.ulimit_host);
  EXPECT_EQ(back.oom_score_adj, 250);
  EXPECT_EQ(back.devices, s.devices);
  EXPECT_EQ(back.sysctls, s.sysctls);
  EXPECT_EQ(back.owner_pidfile, s.owner_pidfile);
  EXPECT_TRUE(back.host_uts && back.host_ipc);
  // And the defaults stay defaults.
  EXPECT_EQ(encode_spec(decode_spec(encode_spec(Spec{}))), encode_spec(Spec{}));
}

TEST(SpecCodec, RefusesWhatItDidNotWrite) {
  for (const char* text : {"", "[]", "{\"version\": 99}", "{\"version\": 1, \"argv\": 3}",
                           "{\"version\": 1, \"network\": {\"mode\": 7}}"}) {
    try {
      decode_spec(text);
      ADD_FAILURE() << text;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::kCorrupt) << text;
    }
  }
}

TEST(SpecCodec, SavedBesideTheContainer) {
  TempDir dir(::testing::TempDir(), "spec-codec");
  Spec s = full_spec();
  s.container_dir = dir.path();
  EXPECT_THROW(load_spec(dir.path()), Error);
  save_spec(s, false);
  EXPECT_EQ(encode_spec(load_spec(dir.path())), encode_spec(s));
}

}  // namespace
}  // namespace dabba::runner
