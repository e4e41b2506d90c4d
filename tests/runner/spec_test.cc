#include "runner/spec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <utility>

#include "common/error.h"
#include "runner/path.h"

namespace dabba::runner {
namespace {

Spec minimal() {
  Spec s;
  s.id = "abc";
  s.layers = {"/store/layers/a"};
  s.container_dir = "/store/containers/abc";
  s.argv = {"sh"};
  return s;
}

TEST(ParseVolume, SourceTargetAndMode) {
  MountSpec m = parse_volume("/host/dir:/data");
  EXPECT_EQ(m.kind, MountSpec::Kind::kBind);
  EXPECT_EQ(m.source, "/host/dir");
  EXPECT_EQ(m.target, "/data");
  EXPECT_FALSE(m.read_only);
  EXPECT_TRUE(parse_volume("/a:/b:ro").read_only);
  EXPECT_FALSE(parse_volume("/a:/b:rw").read_only);
  EXPECT_TRUE(parse_volume("/a:/b:z,ro").read_only);
  EXPECT_EQ(parse_volume("/a/./x/:/b/../c/").target, "/c");
}

TEST(ParseVolume, NamedAndAnonymous) {
  MountSpec n = parse_volume("data:/srv/data:ro");
  EXPECT_EQ(n.volume, std::optional<std::string>("data"));
  EXPECT_EQ(n.source, "");
  EXPECT_EQ(n.target, "/srv/data");
  EXPECT_TRUE(n.read_only);
  EXPECT_EQ(parse_volume("my.vol-1_x:/d").volume, std::optional<std::string>("my.vol-1_x"));
  MountSpec a = parse_volume("/only");
  EXPECT_EQ(a.volume, std::optional<std::string>(""));
  EXPECT_EQ(a.target, "/only");
  EXPECT_FALSE(parse_volume("/a:/b").volume);
}

TEST(ParseVolume, Refusals) {
  EXPECT_THROW(parse_volume("only"), Error);
  EXPECT_THROW(parse_volume("-bad:/data"), Error);
  EXPECT_THROW(parse_volume("rel/path:/data"), Error);
  EXPECT_THROW(parse_volume(":/data"), Error);
  EXPECT_THROW(parse_volume("/a:relative"), Error);
  EXPECT_THROW(parse_volume("/a:/b:bogus"), Error);
  EXPECT_THROW(parse_volume("/a:/"), Error);
  EXPECT_THROW(parse_volume("/a:/b:ro:x"), Error);
}

TEST(ParseTmpfs, TargetAndOptions) {
  MountSpec m = parse_tmpfs("/scratch:size=10m,mode=700");
  EXPECT_EQ(m.kind, MountSpec::Kind::kTmpfs);
  EXPECT_EQ(m.target, "/scratch");
  EXPECT_EQ(m.tmpfs_options, "size=10m,mode=700");
  EXPECT_EQ(parse_tmpfs("/t").tmpfs_options, "");
  EXPECT_THROW(parse_tmpfs("t"), Error);
  EXPECT_THROW(parse_tmpfs("/"), Error);
}

TEST(ParseMemorySize, Units) {
  EXPECT_EQ(parse_memory_size("1048576"), 1048576u);
  EXPECT_EQ(parse_memory_size("100k"), 102400u);
  EXPECT_EQ(parse_memory_size("512m"), 512u << 20);
  EXPECT_EQ(parse_memory_size("512MB"), 512u << 20);
  EXPECT_EQ(parse_memory_size("2g"), 2ull << 30);
  EXPECT_EQ(parse_memory_size("1.5g"), 3ull << 29);
  EXPECT_THROW(parse_memory_size(""), Error);
  EXPECT_THROW(parse_memory_size("12x"), Error);
  EXPECT_THROW(parse_memory_size("-1m"), Error);
  EXPECT_THROW(parse_memory_size("m"), Error);
}

TEST(ParseNetwork, Modes) {
  EXPECT_EQ(parse_network("none").mode, NetworkMode::kNone);
  EXPECT_EQ(parse_network("host").mode, NetworkMode::kHost);
  NetworkSpec s = parse_network("slirp4netns:allow_host_loopback=true,mtu=1500");
  EXPECT_EQ(s.mode, NetworkMode::kSlirp4netns);
  EXPECT_EQ(s.options, "allow_host_loopback=true,mtu=1500");
  NetworkSpec shared = parse_network("container:web");
  EXPECT_EQ(shared.mode, NetworkMode::kContainer);
  EXPECT_EQ(shared.options, "web");
  EXPECT_THROW(parse_network("container:"), Error);
  EXPECT_THROW(parse_network("container"), Error);
  EXPECT_THROW(parse_network("host:x"), Error);
  EXPECT_EQ(parse_network("pasta").mode, NetworkMode::kPasta);
  NetworkSpec pasta = parse_network("pasta:--mtu,1500");
  EXPECT_EQ(pasta.mode, NetworkMode::kPasta);
  EXPECT_EQ(pasta.options, "--mtu,1500");
  EXPECT_THROW(parse_network("ns:/proc/1/ns/net"), Error);
}

TEST(ParseNetwork, NetworksOfNetworkCreate) {
  NetworkSpec one = parse_network("app:alias=web,ip=10.89.0.7,interface_name=eth5");
  EXPECT_EQ(one.mode, NetworkMode::kBridge);
  ASSERT_EQ(one.networks.size(), 1u);
  EXPECT_EQ(one.networks[0].name, "app");
  EXPECT_EQ(one.networks[0].aliases, std::vector<std::string>{"web"});
  EXPECT_EQ(one.networks[0].ip, "10.89.0.7");
  EXPECT_EQ(one.networks[0].interface, "eth5");
  // Several --network flags arrive joined by newlines.
  NetworkSpec two = parse_network("front\nback:alias=db");
  ASSERT_EQ(two.networks.size(), 2u);
  EXPECT_EQ(two.networks[1].name, "back");
  EXPECT_EQ(two.networks[1].aliases, std::vector<std::string>{"db"});
  EXPECT_THROW(parse_network("front\nnone"), Error);    // modes do not combine
  EXPECT_THROW(parse_network("app:mac=aa:bb"), Error);  // an option dabba does not know
  EXPECT_THROW(parse_network("b@d"), Error);
}

TEST(Validate, AcceptsAMinimalSpec) { EXPECT_NO_THROW(validate(minimal())); }

TEST(Validate, RefusesWhatTheSandboxCannotRun) {
  auto refused = [](auto&& change) {
    Spec s = minimal();
    change(s);
    EXPECT_THROW(validate(s), Error);
  };
  refused([](Spec& s) { s.id.clear(); });
  refused([](Spec& s) { s.id = "../../x"; });
  refused([](Spec& s) { s.layers.clear(); });
  refused([](Spec& s) { s.layers = {"relative"}; });
  refused([](Spec& s) { s.container_dir = "x"; });
  refused([](Spec& s) { s.argv.clear(); });
  refused([](Spec& s) { s.argv = {""}; });
  refused([](Spec& s) { s.cwd = "work"; });
  refused([](Spec& s) { s.env = {"NOVALUE"}; });
  refused([](Spec& s) { s.limits.cpus = 0; });
  refused([](Spec& s) { s.limits.pids_max = 0; });
  refused([](Spec& s) { s.limits.memory_bytes = 1024; });
  refused([](Spec& s) { s.hostname = std::string(65, 'h'); });
  refused([](Spec& s) { s.cgroup_parent = "relative"; });
}

TEST(CleanPath, Lexical) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "/"},
      {"/", "/"},
      {"//a//b/", "/a/b"},
      {"/a/./b/../c", "/a/c"},
      {"/../../etc", "/etc"},
      {"rel/x", "/rel/x"},
  };
  for (const auto& [path, cleaned] : cases) EXPECT_EQ(clean_path(path), cleaned) << path;
  EXPECT_EQ(path_components("/a/b/c").size(), 3u);
}

}  // namespace
}  // namespace dabba::runner
