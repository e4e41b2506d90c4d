#include "oci/image_config.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace dabba {
namespace {

const std::string kDiff1 = "sha256:" + std::string(64, '1');
const std::string kDiff2 = "sha256:" + std::string(64, '2');

TEST(ImageConfig, ParsesWhatRunNeeds) {
  ImageConfig c = parse_image_config(R"({
    "created": "2024-01-02T03:04:05Z", "architecture": "arm", "variant": "v7", "os": "linux",
    "config": {"User": "1000:1000", "ExposedPorts": {"80/tcp": {}, "53/udp": {}},
      "Env": ["PATH=/bin", "FOO=bar"], "Entrypoint": ["/bin/busybox"], "Cmd": ["sh"],
      "WorkingDir": "/tmp", "Labels": {"a": "b"}, "StopSignal": "SIGQUIT"},
    "rootfs": {"type": "layers", "diff_ids": [")" +
                                     kDiff1 + R"(", ")" + kDiff2 + R"("]},
    "history": [{"created_by": "x"}]})");
  EXPECT_EQ(c.created, "2024-01-02T03:04:05Z");
  EXPECT_EQ(c.platform.str(), "linux/arm/v7");
  EXPECT_EQ(c.user, "1000:1000");
  EXPECT_EQ(c.exposed_ports, (std::vector<std::string>{"53/udp", "80/tcp"}));
  EXPECT_EQ(c.env, (std::vector<std::string>{"PATH=/bin", "FOO=bar"}));
  ASSERT_TRUE(c.entrypoint);
  EXPECT_EQ(*c.entrypoint, std::vector<std::string>{"/bin/busybox"});
  ASSERT_TRUE(c.cmd);
  EXPECT_EQ(*c.cmd, std::vector<std::string>{"sh"});
  EXPECT_EQ(c.working_dir, "/tmp");
  EXPECT_EQ(c.labels.at("a"), "b");
  EXPECT_EQ(c.stop_signal, "SIGQUIT");
  ASSERT_EQ(c.diff_ids.size(), 2u);
  EXPECT_EQ(c.diff_ids[1].str(), kDiff2);
}

TEST(ImageConfig, AbsentAndEmptyDiffer) {
  ImageConfig c = parse_image_config(R"({"os": "linux", "architecture": "amd64",
    "config": {"Entrypoint": [], "Cmd": null},
    "rootfs": {"type": "layers", "diff_ids": []}})");
  ASSERT_TRUE(c.entrypoint);
  EXPECT_TRUE(c.entrypoint->empty());
  EXPECT_FALSE(c.cmd);
  ImageConfig bare = parse_image_config(R"({"rootfs": {"type": "layers", "diff_ids": []}})");
  EXPECT_FALSE(bare.entrypoint);
  EXPECT_TRUE(bare.env.empty());
}

TEST(ImageConfig, RefusesBrokenConfigs) {
  for (const char* bad :
       {"nope", "[]", R"({"os": "linux"})", R"({"rootfs": {"type": "zfs", "diff_ids": []}})",
        R"({"rootfs": {"type": "layers"}})",
        R"({"rootfs": {"type": "layers", "diff_ids": ["sha256:abc"]}})",
        R"({"config": {"Env": [1]}, "rootfs": {"type": "layers", "diff_ids": []}})"}) {
    try {
      parse_image_config(bad);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::kCorrupt) << bad;
    }
  }
}

TEST(ImageConfig, LayersMustMatchDiffIds) {
  ImageManifest m;
  m.layers.resize(2);
  ImageConfig c;
  c.diff_ids.resize(1);
  EXPECT_THROW(check_layers_match(m, c), Error);
  c.diff_ids.resize(2);
  EXPECT_NO_THROW(check_layers_match(m, c));
}

}  // namespace
}  // namespace dabba
