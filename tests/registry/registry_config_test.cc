#include "registry/registry_config.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "common/fs.h"

namespace dabba {
namespace {

TEST(RegistryConfig, LoopbackRegistries) {
  for (const char* yes : {"localhost", "localhost:5000", "LOCALHOST:1", "127.0.0.1",
                          "127.0.0.1:5000", "127.255.1.2:80", "[::1]:5000", "[::1]", "::1"})
    EXPECT_TRUE(is_loopback_registry(yes)) << yes;
  for (const char* no : {"docker.io", "10.0.0.1:5000", "128.0.0.1", "localhost.example.com",
                         "[::2]:5000", "127.0.0.1.nip.io", "0.0.0.0:5000"})
    EXPECT_FALSE(is_loopback_registry(no)) << no;
}

TEST(RegistryConfig, DefaultEndpoints) {
  RegistryConfig config;
  auto hub = config.endpoints("docker.io");
  ASSERT_EQ(hub.size(), 1u);
  EXPECT_EQ(hub[0].host, "registry-1.docker.io");
  EXPECT_FALSE(hub[0].allow_http);
  EXPECT_TRUE(hub[0].tls_verify);
  auto local = config.endpoints("127.0.0.1:5000");
  ASSERT_EQ(local.size(), 1u);
  EXPECT_EQ(local[0].host, "127.0.0.1:5000");
  EXPECT_TRUE(local[0].allow_http);
  EXPECT_TRUE(local[0].tls_verify);  // HTTPS, when used, is still verified
  EXPECT_FALSE(config.endpoints("registry.lan:5000")[0].allow_http);
}

TEST(RegistryConfig, MirrorsFirstThenTheOrigin) {
  RegistryConfig config = RegistryConfig::parse(R"({"registries": {
      "docker.io": {"mirrors": ["mirror.lan:5000", "https://cache.lan/dockerhub/"]},
      "mirror.lan:5000": {"insecure": true},
      "Registry.LAN:5000": {"insecure": true}}})",
                                                "test");
  auto e = config.endpoints("docker.io");
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0].host, "mirror.lan:5000");
  EXPECT_TRUE(e[0].mirror);
  EXPECT_TRUE(e[0].allow_http);
  EXPECT_FALSE(e[0].tls_verify);
  EXPECT_EQ(e[1].host, "cache.lan");
  EXPECT_EQ(e[1].path_prefix, "dockerhub");
  EXPECT_FALSE(e[1].allow_http);
  EXPECT_EQ(e[2].host, "registry-1.docker.io");
  EXPECT_FALSE(e[2].mirror);
  // index.docker.io names the same registry.
  EXPECT_EQ(config.endpoints("index.docker.io").size(), 3u);
  auto lan = config.endpoints("registry.lan:5000");
  ASSERT_EQ(lan.size(), 1u);
  EXPECT_TRUE(lan[0].allow_http);
  EXPECT_FALSE(lan[0].tls_verify);
}

TEST(RegistryConfig, TlsVerifyFalseFromTheCommandLine) {
  RegistryConfig config;
  config.set_insecure("registry.lan:5000");
  auto e = config.endpoints("registry.lan:5000");
  EXPECT_TRUE(e[0].allow_http);
  EXPECT_FALSE(e[0].tls_verify);
}

TEST(RegistryConfig, BadFilesSayWhatIsWrong) {
  auto expect_error = [](const std::string& text, const std::string& piece) {
    try {
      RegistryConfig::parse(text, "/x/registries.json");
      ADD_FAILURE() << "accepted " << text;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::kCorrupt);
      EXPECT_NE(std::string(e.what()).find(piece), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("/x/registries.json"), std::string::npos);
    }
  };
  expect_error("{", "not valid JSON");
  expect_error("[]", "not a JSON object");
  expect_error(R"({"registries": []})", "must be an object");
  expect_error(R"({"registries": {"a": {"insecure": "yes"}}})", "insecure must be true or false");
  expect_error(R"({"registries": {"a": {"mirrors": "m"}}})", "mirrors must be an array");
  expect_error(R"({"registries": {"a": {"mirrors": [""]}}})", "host[:port][/prefix]");
}

TEST(RegistryConfig, MissingFileIsEmpty) {
  RegistryConfig config = RegistryConfig::load("/nonexistent/registries.json");
  EXPECT_EQ(config.endpoints("quay.io").size(), 1u);
}

}  // namespace
}  // namespace dabba
