#include "runner/env.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "common/error.h"

namespace dabba::runner {
namespace {

using ::testing::ElementsAre;

HostEnvLookup host(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(MergeEnv, DefaultsWhenTheImageSetsNothing) {
  EnvInputs in;
  in.hostname = "abc";
  in.host_lookup = host({});
  EXPECT_THAT(merge_env(in), ElementsAre(std::string("PATH=") + kDefaultPath, "HOSTNAME=abc",
                                         "TERM=xterm", "container=dabba"));
}

TEST(MergeEnv, EnvHostThenProxyThenImage) {
  EnvInputs in;
  in.host_env = {"FROM_HOST=1", "PATH=/host/bin", "http_proxy=ignored-here"};
  in.image_env = {"FROM_HOST=image"};
  in.host_lookup = host({{"HTTPS_PROXY", "http://proxy:3128"}});
  EXPECT_THAT(merge_env(in),
              ElementsAre("PATH=/host/bin", "TERM=xterm", "container=dabba", "FROM_HOST=image",
                          "http_proxy=ignored-here", "HTTPS_PROXY=http://proxy:3128"));
  in.http_proxy = false;
  in.host_env.clear();
  EXPECT_THAT(merge_env(in), ElementsAre(std::string("PATH=") + kDefaultPath, "TERM=xterm",
                                         "container=dabba", "FROM_HOST=image"));
}

TEST(MergeEnv, TermAlsoWithTty) {
  EnvInputs in;
  in.tty = true;
  in.host_lookup = host({});
  EXPECT_THAT(merge_env(in),
              ElementsAre(std::string("PATH=") + kDefaultPath, "TERM=xterm", "container=dabba"));
}

TEST(MergeEnv, ImagePathReplacesTheDefault) {
  EnvInputs in;
  in.image_env = {"PATH=/opt/bin", "LANG=C.UTF-8"};
  in.host_lookup = host({});
  EXPECT_THAT(merge_env(in),
              ElementsAre("TERM=xterm", "container=dabba", "PATH=/opt/bin", "LANG=C.UTF-8"));
}

TEST(MergeEnv, LaterWinsAndKeepsFirstPosition) {
  EnvInputs in;
  in.hostname = "h";
  in.image_env = {"A=image", "HOSTNAME=fromimage", "B=image"};
  in.env_files = {{"f.env", "A=file\nC=file\n"}};
  in.env_flags = {"C=flag", "A=flag1", "A=flag2"};
  in.host_lookup = host({});
  EXPECT_THAT(merge_env(in),
              ElementsAre(std::string("PATH=") + kDefaultPath, "HOSTNAME=fromimage", "TERM=xterm",
                          "container=dabba", "A=flag2", "B=image", "C=flag"));
}

TEST(MergeEnv, FlagsWinOverEnvFilesLikeDocker) {
  EnvInputs in;
  in.env_flags = {"X=flag"};
  in.env_files = {{"a.env", "X=file"}};
  in.host_lookup = host({});
  EXPECT_EQ(env_value(merge_env(in), "X"), "flag");
}

TEST(MergeEnv, BareNameTakesTheHostValueOrIsDropped) {
  EnvInputs in;
  in.env_flags = {"HOSTVAR", "MISSING", "EMPTY"};
  in.host_lookup = host({{"HOSTVAR", "from host"}, {"EMPTY", ""}});
  auto env = merge_env(in);
  EXPECT_EQ(env_value(env, "HOSTVAR"), "from host");
  EXPECT_EQ(env_value(env, "EMPTY"), "");
  EXPECT_EQ(env_value(env, "MISSING"), std::nullopt);
}

TEST(MergeEnv, ValuesAreLiteral) {
  EnvInputs in;
  in.env_flags = {"Q=\"quoted\" a=b", "E="};
  in.host_lookup = host({});
  auto env = merge_env(in);
  EXPECT_EQ(env_value(env, "Q"), "\"quoted\" a=b");
  EXPECT_EQ(env_value(env, "E"), "");
}

TEST(MergeEnv, MalformedFlagsAreErrors) {
  EnvInputs in;
  in.host_lookup = host({});
  in.env_flags = {"=value"};
  EXPECT_THROW(merge_env(in), Error);
  in.env_flags = {"BAD NAME=x"};
  EXPECT_THROW(merge_env(in), Error);
}

TEST(ParseEnvFile, CommentsBlankLinesSpacesAndHostValues) {
  EnvFile f{"test.env",
            "# a comment\n"
            "\n"
            "   \t\n"
            "  A=1\n"
            "B = 2\n"
            "FROMHOST\n"
            "NOTSET\n"
            "C=has # no comment\r\n"
            "D="};
  try {
    parse_env_file(f, host({{"FROMHOST", "h"}}));
    FAIL() << "a name with a space must be refused";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("test.env:5"));
  }
  f.text = "# c\n  A=1\nFROMHOST\nNOTSET\nC=has # no comment\r\nD=";
  EXPECT_THAT(parse_env_file(f, host({{"FROMHOST", "h"}})),
              ElementsAre("A=1", "FROMHOST=h", "C=has # no comment", "D="));
}

TEST(SetDefault, OnlyWhenAbsent) {
  std::vector<std::string> env = {"HOME=/custom"};
  EXPECT_FALSE(set_default(env, "HOME", "/root"));
  EXPECT_TRUE(set_default(env, "USER", "root"));
  EXPECT_THAT(env, ElementsAre("HOME=/custom", "USER=root"));
  EXPECT_EQ(env_value(env, "HOM"), std::nullopt);
}

}  // namespace
}  // namespace dabba::runner
