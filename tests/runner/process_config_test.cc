#include "runner/process_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/error.h"

namespace dabba::runner {
namespace {

using ::testing::ElementsAre;

ImageConfig image(std::vector<std::string> entrypoint, std::vector<std::string> cmd) {
  ImageConfig c;
  c.entrypoint = std::move(entrypoint);
  c.cmd = std::move(cmd);
  return c;
}

TEST(CommandLine, EntrypointPlusCmd) {
  EXPECT_THAT(command_line(image({"/entry", "-x"}, {"a", "b"}), std::nullopt, {}),
              ElementsAre("/entry", "-x", "a", "b"));
}

TEST(CommandLine, ArgsReplaceCmdButKeepEntrypoint) {
  EXPECT_THAT(command_line(image({"/entry"}, {"a", "b"}), std::nullopt, {"c"}),
              ElementsAre("/entry", "c"));
}

TEST(CommandLine, CmdAloneWithoutEntrypoint) {
  EXPECT_THAT(command_line(image({}, {"sh"}), std::nullopt, {}), ElementsAre("sh"));
  EXPECT_THAT(command_line(image({}, {"sh"}), std::nullopt, {"ls", "-l"}), ElementsAre("ls", "-l"));
}

TEST(CommandLine, EntrypointFlagDropsImageCmd) {
  EXPECT_THAT(command_line(image({"/entry"}, {"a"}), std::string("/other"), {}),
              ElementsAre("/other"));
  EXPECT_THAT(command_line(image({"/entry"}, {"a"}), std::string("/other"), {"x"}),
              ElementsAre("/other", "x"));
}

TEST(CommandLine, EntrypointFlagIsOneWordEvenWithSpaces) {
  EXPECT_THAT(command_line(image({}, {}), std::string("sh -c"), {}), ElementsAre("sh -c"));
}

TEST(CommandLine, EmptyEntrypointFlagClearsBoth) {
  EXPECT_THAT(command_line(image({"/entry"}, {"a"}), std::string(""), {"ls"}), ElementsAre("ls"));
  EXPECT_THROW(command_line(image({"/entry"}, {"a"}), std::string(""), {}), Error);
}

TEST(CommandLine, NothingToRunIsAnError) {
  try {
    command_line(image({}, {}), std::nullopt, {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::kInvalidArgument);
    EXPECT_THAT(e.what(), ::testing::HasSubstr("no command specified"));
  }
}

TEST(WorkingDir, DefaultsToRoot) { EXPECT_EQ(working_dir(ImageConfig{}, std::nullopt), "/"); }

TEST(WorkingDir, ImageValueCleaned) {
  ImageConfig c;
  c.working_dir = "/app/./src/";
  EXPECT_EQ(working_dir(c, std::nullopt), "/app/src");
  c.working_dir = "relative/dir";
  EXPECT_EQ(working_dir(c, std::nullopt), "/relative/dir");
}

TEST(WorkingDir, FlagOverridesAndMustBeAbsolute) {
  ImageConfig c;
  c.working_dir = "/app";
  EXPECT_EQ(working_dir(c, std::string("/work/../tmp")), "/tmp");
  EXPECT_THROW(working_dir(c, std::string("tmp")), Error);
  EXPECT_THROW(working_dir(c, std::string("")), Error);
}

TEST(UserSpec, FlagOverridesImage) {
  ImageConfig c;
  c.user = "nobody";
  EXPECT_EQ(user_spec(c, std::nullopt), "nobody");
  EXPECT_EQ(user_spec(c, std::string("1000:1000")), "1000:1000");
  EXPECT_EQ(user_spec(ImageConfig{}, std::nullopt), "");
}

}  // namespace
}  // namespace dabba::runner
